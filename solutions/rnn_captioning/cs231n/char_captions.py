"""Character-level captions, for the optional section of RNN_Captioning.ipynb that compares a
character-level captioning RNN with the word-level one.

The character vocabulary holds the special tokens of the word vocabulary (<NULL>, <START>,
<END>, <UNK>), the space, and every character of the word vocabulary's words. A caption becomes
<START>, its words spelled out and separated by spaces, <END>, then <NULL> padding. A word that
the word vocabulary already replaced with <UNK> stays one <UNK> token: its spelling is lost.
"""
import numpy as np

SPECIAL_TOKENS = ('<NULL>', '<START>', '<END>', '<UNK>')
SPACE = ' '
CHUNK_CAPTIONS = 20000   # captions converted at a time (bounds the memory of the conversion)
SPLITS = ('train', 'val')


def char_vocabulary(idx_to_word):
    """(idx_to_char, char_to_idx): the special tokens, the space, then the characters of the
    vocabulary's words in sorted order."""
    words = [w for w in idx_to_word if w not in SPECIAL_TOKENS]
    chars = sorted({c for w in words for c in w} - {SPACE})
    idx_to_char = list(SPECIAL_TOKENS) + [SPACE] + chars
    return idx_to_char, {c: i for i, c in enumerate(idx_to_char)}


def _spelling_table(idx_to_word, char_to_idx):
    """For every word index, the characters it adds to a caption: a space, then the word
    (one <UNK> for <UNK>, the token itself for <START> and <END>, nothing for <NULL>).
    Returns a (V, L) table of character indices padded with <NULL>, and the lengths (V,)."""
    space = char_to_idx[SPACE]
    pieces = []
    for word in idx_to_word:
        if word == '<NULL>':
            pieces.append([])
        elif word in ('<START>', '<END>'):
            pieces.append([char_to_idx[word]])
        elif word == '<UNK>':
            pieces.append([space, char_to_idx['<UNK>']])
        else:
            pieces.append([space] + [char_to_idx[c] for c in word])
    lengths = np.array([len(p) for p in pieces])
    table = np.full((len(pieces), max(lengths.max(), 1)), char_to_idx['<NULL>'], dtype=np.int32)
    for i, piece in enumerate(pieces):
        table[i, :len(piece)] = piece
    return table, lengths


def _after_end(captions, end):
    """True at every position after a caption's first <END> (those tokens are ignored)."""
    is_end = captions == end
    return (np.cumsum(is_end, axis=1) - is_end) > 0


def _spell(captions, table, lengths, word_null, word_end, char_to_idx):
    """One chunk of word captions (n, T) as character captions (n, width)."""
    start, space, null = char_to_idx['<START>'], char_to_idx[SPACE], char_to_idx['<NULL>']
    tokens = np.where(_after_end(captions, word_end), word_null, captions)
    valid = np.arange(table.shape[1]) < lengths[tokens][..., None]       # (n, T, L)
    chars = table[tokens][valid]                                        # row by row, in order
    rows = np.nonzero(valid)[0]
    # no space at the start of a caption nor right after <START>
    first = np.r_[True, rows[1:] != rows[:-1]]
    after_start = np.r_[False, (chars[:-1] == start) & ~first[1:]]
    keep = ~((chars == space) & (first | after_start))
    chars, rows = chars[keep], rows[keep]
    counts = np.bincount(rows, minlength=len(captions))
    cols = np.arange(len(chars)) - np.repeat(np.cumsum(counts) - counts, counts)
    out = np.full((len(captions), max(counts.max(initial=0), 1)), null, dtype=np.int32)
    out[rows, cols] = chars
    return out


def words_to_chars(captions, idx_to_word, char_to_idx):
    """Word captions (N, T) of indices into idx_to_word -> character captions (N, T_char) of
    indices into the character vocabulary, T_char being the longest caption's length."""
    captions = np.asarray(captions)
    if captions.ndim != 2:
        raise ValueError('captions must be 2-D (N, T), got shape %s' % (captions.shape,))
    word_to_idx = {w: i for i, w in enumerate(idx_to_word)}
    table, lengths = _spelling_table(idx_to_word, char_to_idx)
    chunks = [_spell(captions[i:i + CHUNK_CAPTIONS], table, lengths,
                     word_to_idx['<NULL>'], word_to_idx.get('<END>', -1), char_to_idx)
              for i in range(0, len(captions), CHUNK_CAPTIONS)] or [np.zeros((0, 1), np.int32)]
    width = max(chunk.shape[1] for chunk in chunks)
    null = char_to_idx['<NULL>']
    return np.concatenate([np.pad(c, ((0, 0), (0, width - c.shape[1])), constant_values=null)
                           for c in chunks])


def char_captioning_data(data):
    """A copy of a load_coco_data dictionary whose captions are characters: train_captions and
    val_captions hold character indices, idx_to_word and word_to_idx are the character
    vocabulary. Features, image indices and URLs are the same arrays (not copied), and the
    caption at row i is the word caption at row i, spelled out."""
    idx_to_char, char_to_idx = char_vocabulary(data['idx_to_word'])
    chars = dict(data)
    for split in SPLITS:
        key = '%s_captions' % split
        chars[key] = words_to_chars(data[key], data['idx_to_word'], char_to_idx)
    chars['idx_to_word'], chars['word_to_idx'] = idx_to_char, char_to_idx
    return chars


def chars_to_text(captions, idx_to_char):
    """Character captions (N, T) -> N strings: the characters joined, <NULL> skipped, up to the
    first <END>; <START> and <END> left out, <UNK> written as '<UNK>'."""
    texts = []
    for row in np.atleast_2d(captions):
        tokens = []
        for idx in row:
            token = idx_to_char[int(idx)]
            if token == '<END>':
                break
            if token not in ('<NULL>', '<START>'):
                tokens.append(token)
        texts.append(''.join(tokens))
    return texts


def words_to_text(captions, idx_to_word):
    """Word captions (N, T) -> N strings of the words up to the first <END>, without the
    <NULL>, <START> and <END> tokens."""
    texts = []
    for row in np.atleast_2d(captions):
        words = []
        for idx in row:
            word = idx_to_word[int(idx)]
            if word == '<END>':
                break
            if word not in ('<NULL>', '<START>'):
                words.append(word)
        texts.append(' '.join(words))
    return texts


def real_word_share(texts, idx_to_word):
    """The share of the space-separated words of texts that are words of the vocabulary
    (special tokens, <UNK> included, do not count); nan when texts hold no word."""
    vocabulary = set(idx_to_word) - set(SPECIAL_TOKENS)
    words = [w for text in texts for w in text.split()]
    if not words:
        return float('nan')
    return sum(w in vocabulary for w in words) / len(words)
