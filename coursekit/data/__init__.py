"""The embedded captioning dataset: a small, deterministic, offline stand-in for COCO.

`coursekit data` (or `generate(...)`) writes, in exactly the file format of the course's
coco_captioning.zip: coco2014_captions.h5, coco2014_vocab.json, {train,val}2014_vgg16_fc7.h5,
{train,val}2014_vgg16_fc7_pca.h5, {train,val}2014_urls.txt (paths relative to the dataset
folder, e.g. images/train/train_000123.png) and {train,val}2014_images.txt, plus the PNG images
and manifest.json (generator version, parameters, SHA-256 of every file; written last, so a
matching manifest means the folder is complete and generation is skipped).

Images (scenes.py): 96x96 RGB PNGs of one or two shapes (circle, square, triangle, diamond,
cross; 8 colours; small or large) on a plain background (6 colours). One-shape scenes put
the shape at one of 9 grid positions; two-shape scenes put them side by side or one above
the other. Slight colour jitter and pixel noise; everything drawn from
numpy.random.RandomState([seed, split]) so a seed gives byte-identical files (with the same
numpy/BLAS build and BLAS thread count: the feature files hold BLAS float results, which
differ in the last bits between thread counts; `coursekit data` runs BLAS single-threaded).

Captions (captions.py): five differently worded captions per image from a small grammar
("a large red circle on blue", "one red circle in the top left corner", "the green square
is to the right of the red circle", ...), 4 to 12 words (at most 15 fit),
encoded as <START> words <END> <NULL>... (length 17); a fixed vocabulary of about 60 words
with <NULL>=0, <START>=1, <END>=2, <UNK>=3. A template's wording follows from the scene, so
the template is the only free choice in a caption; short captions and few free choices keep
the overfit check's final loss low (it sums the loss over the words).

Features (features.py), the fixed pipeline standing in for VGG-16 fc7:
1. pixels / 255, average-pooled to 48x48;
2. per image: 8x8 RGB thumbnail (192 values) + for each of the 11 palette colours a soft
   colour mask summarised by mass, centroid, spread, 4x4 spatial histogram, 8-bin edge
   orientation histogram and edge-length / sqrt(area) (30 values each) = 522 values;
3. fc7 = ReLU(standardise(stats) @ P + b), P (522, 4096) and b fixed random (seed 4096,
   independent of the dataset seed), standardised with the train split's mean and std;
4. fc7_pca = PCA whitening of the fc7 features, fitted on the train split (512 components,
   signs fixed, unit variance each on train), applied to both splits.

Caption order: the train caption rows are shuffled, then arranged so that the notebook's
overfit draw (np.random.seed(231); load_coco_data(max_train=50), i.e.
np.random.randint(num_train_captions, size=50)) picks captions of 50 distinct images: two
differently worded captions of one image among the 50 would put a floor under the loss.
"""
from coursekit.sandbox.isolation import use_single_thread_blas

# Float results of BLAS (the fc7 projection, the PCA) depend on its thread count: run it
# single-threaded unless told otherwise, so that `coursekit data` and the tests (whose
# conftest does the same) write byte-identical files. Effective only before numpy loads.
use_single_thread_blas()

from .generate import GENERATOR_VERSION, DatasetError, GenerationResult, generate, manifest_matches  # noqa: E402

__all__ = ["generate", "manifest_matches", "DatasetError", "GenerationResult", "GENERATOR_VERSION"]
