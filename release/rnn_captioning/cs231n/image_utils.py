"""Reading images from URLs (http(s):// for real COCO, file:// for the embedded dataset)."""
import io
import urllib.error
import urllib.request

import numpy as np

URL_TIMEOUT_SECONDS = 10


def image_from_url(url):
    """Read an image from a URL.

    Inputs:
    - url: String URL of the image (http://, https:// or file://)

    Returns:
    - img: uint8 numpy array of shape (H, W, 3), or None (after printing a message)
      if the image cannot be read.
    """
    from PIL import Image
    try:
        with urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as f:
            raw = f.read()
        with Image.open(io.BytesIO(raw)) as img:
            return np.asarray(img.convert('RGB'), dtype=np.uint8)
    except (urllib.error.URLError, OSError, ValueError) as e:
        print('Could not read image from %s: %s' % (url, e))
        return None
