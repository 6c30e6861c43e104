"""Loading the (COCO-format) captioning dataset, minibatches and caption decoding.

Where the data comes from (first hit wins):
1. the base_dir argument of load_coco_data;
2. the environment variable CS231N_DATA_DIR;
3. cs231n/datasets/coco_captioning (the real COCO data), then cs231n/datasets/embedded (the
   small synthetic dataset), where `cd cs231n/datasets && bash get_datasets.sh` puts them;
4. walking up from the folder of this package, for each parent folder P:
   P/datasets/coco_captioning, then P/datasets/embedded.
A folder counts when coco2014_captions.h5 is in it.
"""
import json
import os
from pathlib import Path

import numpy as np

DATA_DIR_ENV = 'CS231N_DATA_DIR'
COCO_SUBDIR = os.path.join('datasets', 'coco_captioning')
EMBEDDED_SUBDIR = os.path.join('datasets', 'embedded')
GET_DATA_HINT = 'In the assignment folder, run: cd cs231n/datasets && bash get_datasets.sh'
CAPTIONS_FILE = 'coco2014_captions.h5'
VOCAB_FILE = 'coco2014_vocab.json'
CAPTION_KEYS = ('train_captions', 'train_image_idxs', 'val_captions', 'val_image_idxs')
SPLITS = ('train', 'val')


def find_dataset_dir(base_dir=None):
    """The folder holding the captioning dataset (see the module docstring).

    Raises FileNotFoundError with instructions if no dataset is found.
    """
    if base_dir is not None:
        return _existing_dir(base_dir, 'base_dir')
    if os.environ.get(DATA_DIR_ENV):
        return _existing_dir(os.environ[DATA_DIR_ENV], '$' + DATA_DIR_ENV)
    here = Path(__file__).resolve().parent
    for parent in (here,) + tuple(here.parents):
        for sub in (COCO_SUBDIR, EMBEDDED_SUBDIR):
            candidate = parent / sub
            if (candidate / CAPTIONS_FILE).is_file():
                return candidate
    raise FileNotFoundError(
        'No captioning dataset found (looked in %s and, above it, for %s or %s; $%s is not '
        'set). %s' % (here / 'datasets', COCO_SUBDIR, EMBEDDED_SUBDIR, DATA_DIR_ENV, GET_DATA_HINT))


def _existing_dir(path, what):
    path = Path(path).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError('%s (%s) is not a folder. %s' % (what, path, GET_DATA_HINT))
    return path


def _require_file(path):
    if not path.is_file():
        raise FileNotFoundError('Missing dataset file: %s. %s' % (path, GET_DATA_HINT))
    return path


def _read_h5(path, keys):
    """The named datasets of an HDF5 file, as numpy arrays."""
    import h5py
    _require_file(path)
    try:
        with h5py.File(path, 'r') as f:
            missing = [k for k in keys if k not in f]
            if missing:
                raise ValueError('Malformed dataset file %s: missing %s' % (path, ', '.join(missing)))
            return {k: np.asarray(f[k]) for k in keys}
    except OSError as e:
        raise ValueError('Malformed dataset file %s: not a readable HDF5 file (%s)' % (path, e))


def _read_vocab(path):
    _require_file(path)
    try:
        with open(path, 'r', encoding='utf-8') as f:
            vocab = json.load(f)
        idx_to_word, word_to_idx = vocab['idx_to_word'], vocab['word_to_idx']
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError('Malformed dataset file %s: expected JSON with idx_to_word and '
                         'word_to_idx (%s)' % (path, e))
    return idx_to_word, word_to_idx


def _read_urls(path, dataset_dir):
    """One URL per line; a line without '://' is a path relative to the dataset folder.

    Local files become file:// URLs in an object array: a fixed-width string dtype would
    depend on the length of the folder's path."""
    _require_file(path)
    with open(path, 'r', encoding='utf-8') as f:
        lines = [line.strip() for line in f]
    while lines and not lines[-1]:
        lines.pop()
    if all('://' in line for line in lines):
        return np.asarray(lines, dtype=str)
    urls = [line if '://' in line else (dataset_dir / line).resolve().as_uri() for line in lines]
    return np.asarray(urls, dtype=object)


def _check_consistency(data):
    for split in SPLITS:
        captions, idxs = data['%s_captions' % split], data['%s_image_idxs' % split]
        num_images = data['%s_features' % split].shape[0]
        if captions.ndim != 2 or idxs.shape != (captions.shape[0],):
            raise ValueError('Malformed %s: %s_captions %s does not match %s_image_idxs %s'
                             % (CAPTIONS_FILE, split, captions.shape, split, idxs.shape))
        if idxs.size and (idxs.min() < 0 or idxs.max() >= num_images):
            raise ValueError('Malformed dataset: %s_image_idxs point outside the %d %s images'
                             % (split, num_images, split))
        if len(data['%s_urls' % split]) != num_images:
            raise ValueError('Malformed dataset: %d %s URLs for %d images'
                             % (len(data['%s_urls' % split]), split, num_images))


def _shown_path(path):
    """The path relative to the working directory when both share a folder below the root
    (so that printed outputs do not depend on where the course folder lives)."""
    path, cwd = os.path.abspath(path), os.getcwd()
    try:
        common = os.path.commonpath([path, cwd])
    except ValueError:  # another drive (Windows)
        return path
    return os.path.relpath(path) if common != os.path.dirname(common) else path


def load_coco_data(base_dir=None, max_train=None, pca_features=True):
    """Load the captioning dataset.

    Inputs:
    - base_dir: Folder of the dataset; None looks it up (see the module docstring).
    - max_train: If not None, keep max_train training captions drawn at random (with
      replacement) together with their image indices.
    - pca_features: Use the 512-dimensional PCA features instead of the 4096-dimensional
      fc7 features.

    Returns a dictionary with keys:
    - train_captions, val_captions: int arrays (num_captions, T) of word indices
    - train_image_idxs, val_image_idxs: int arrays (num_captions,) of image indices
    - train_features, val_features: float arrays (num_images, D)
    - idx_to_word: list of words; word_to_idx: dict word -> index
    - train_urls, val_urls: string arrays (num_images,) of image URLs
    """
    dataset_dir = find_dataset_dir(base_dir)
    data = _read_h5(dataset_dir / CAPTIONS_FILE, CAPTION_KEYS)
    suffix = '_pca' if pca_features else ''
    for split in SPLITS:
        feature_file = dataset_dir / ('%s2014_vgg16_fc7%s.h5' % (split, suffix))
        data['%s_features' % split] = _read_h5(feature_file, ['features'])['features']
    data['idx_to_word'], data['word_to_idx'] = _read_vocab(dataset_dir / VOCAB_FILE)
    for split in SPLITS:
        data['%s_urls' % split] = _read_urls(dataset_dir / ('%s2014_urls.txt' % split), dataset_dir)
    _check_consistency(data)

    embedded = data['train_urls'].size > 0 and str(data['train_urls'][0]).startswith('file://')
    kind = 'the embedded synthetic dataset' if embedded else 'the real COCO dataset'
    print('Using %s in %s' % (kind, _shown_path(dataset_dir)))

    if max_train is not None:
        if int(max_train) < 1:
            raise ValueError('max_train must be a positive integer, got %r' % (max_train,))
        num_train = data['train_captions'].shape[0]
        mask = np.random.randint(num_train, size=int(max_train))
        data['train_captions'] = data['train_captions'][mask]
        data['train_image_idxs'] = data['train_image_idxs'][mask]
    return data


def decode_captions(captions, idx_to_word):
    """Turn word indices into strings.

    Inputs:
    - captions: int array of shape (T,) or (N, T)
    - idx_to_word: list (or dict) mapping indices to words

    Returns a string for a 1-D input, a list of N strings for a 2-D input. <NULL>
    tokens are skipped and each caption stops after its <END> token.
    """
    captions = np.asarray(captions)
    singleton = captions.ndim == 1
    if singleton:
        captions = captions[None]
    if captions.ndim != 2:
        raise ValueError('captions must be 1-D or 2-D, got shape %s' % (captions.shape,))
    decoded = []
    for row in captions:
        words = []
        for idx in row:
            word = idx_to_word[int(idx)]
            if word != '<NULL>':
                words.append(word)
            if word == '<END>':
                break
        decoded.append(' '.join(words))
    return decoded[0] if singleton else decoded


def sample_coco_minibatch(data, batch_size=100, split='train'):
    """Draw a random minibatch (with replacement) of captions of one split.

    Returns a tuple of:
    - captions: int array (batch_size, T)
    - image_features: float array (batch_size, D)
    - urls: string array (batch_size,)
    """
    if split not in SPLITS:
        raise ValueError('split must be one of %s, got %r' % (SPLITS, split))
    split_size = data['%s_captions' % split].shape[0]
    mask = np.random.choice(split_size, batch_size)
    captions = data['%s_captions' % split][mask]
    image_idxs = data['%s_image_idxs' % split][mask]
    image_features = data['%s_features' % split][image_idxs]
    urls = data['%s_urls' % split][image_idxs]
    return captions, image_features, urls
