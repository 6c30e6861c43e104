"""The provided helpers of the RNN notebook's optional character-level section (issue 23):
cs231n/char_captions.py and cs231n/level_comparison.py of source/, on small hand-made inputs and
on the embedded dataset."""
import time

import numpy as np
import pytest

from coursekit.reference import submodule

VOCAB = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "on", "mat"]
W = {w: i for i, w in enumerate(VOCAB)}


@pytest.fixture(scope="module")
def chars(ref):
    return submodule(ref, "char_captions")


@pytest.fixture(scope="module")
def compare(ref):
    return submodule(ref, "level_comparison")


def encode(words, width):
    row = [W["<START>"]] + [W[w] for w in words] + [W["<END>"]]
    return row + [W["<NULL>"]] * (width - len(row))


def spelled(chars, text, char_to_idx):
    """<START>, the characters of text (a token in <...> is one token), <END>."""
    tokens, rest = [], text
    while rest:
        if rest.startswith("<UNK>"):
            tokens.append("<UNK>")
            rest = rest[5:]
        else:
            tokens.append(rest[0])
            rest = rest[1:]
    return [char_to_idx["<START>"]] + [char_to_idx[t] for t in tokens] + [char_to_idx["<END>"]]


def test_the_character_vocabulary_has_the_special_tokens_the_space_and_the_letters(chars):
    idx_to_char, char_to_idx = chars.char_vocabulary(VOCAB)
    assert idx_to_char[:5] == ["<NULL>", "<START>", "<END>", "<UNK>", " "]
    assert idx_to_char[5:] == sorted(set("acatonmat"))
    assert all(char_to_idx[c] == i for i, c in enumerate(idx_to_char))


def test_captions_are_spelled_out_with_spaces_unk_kept_and_nothing_after_end(chars):
    _, char_to_idx = chars.char_vocabulary(VOCAB)
    captions = np.array([encode(["a", "cat", "on", "a", "mat"], 8),
                         encode(["<UNK>", "on", "mat"], 8),
                         encode([], 8)])
    captions[2, 3] = W["cat"]                       # after <END>: ignored
    got = chars.words_to_chars(captions, VOCAB, char_to_idx)
    want = [spelled(chars, "a cat on a mat", char_to_idx), spelled(chars, "<UNK> on mat", char_to_idx),
            spelled(chars, "", char_to_idx)]
    assert got.shape == (3, max(map(len, want)))
    for row, expected in zip(got, want):
        assert list(row[:len(expected)]) == expected
        assert not row[len(expected):].any(), "padded with <NULL>"


def test_characters_join_back_into_the_same_words_on_the_embedded_dataset(chars, course):
    if not (course.embedded_dataset / "coco2014_captions.h5").is_file():
        pytest.skip("embedded dataset not generated (coursekit data)")
    from coursekit.reference import reference
    data = submodule(reference(course), "coco_utils").load_coco_data(base_dir=course.embedded_dataset)
    spelled_data = chars.char_captioning_data(data)
    for split in ("train", "val"):
        assert spelled_data[f"{split}_features"] is data[f"{split}_features"]
        words = chars.words_to_text(data[f"{split}_captions"], data["idx_to_word"])
        assert chars.chars_to_text(spelled_data[f"{split}_captions"], spelled_data["idx_to_word"]) == words
    assert chars.real_word_share(words, data["idx_to_word"]) == 1.0


def test_converting_in_chunks_gives_the_same_captions(chars, monkeypatch):
    _, char_to_idx = chars.char_vocabulary(VOCAB)
    rng = np.random.RandomState(0)
    captions = np.array([encode(list(rng.choice(VOCAB[3:], rng.randint(0, 6))), 8) for _ in range(50)])
    whole = chars.words_to_chars(captions, VOCAB, char_to_idx)
    monkeypatch.setattr(chars, "CHUNK_CAPTIONS", 7)
    assert np.array_equal(chars.words_to_chars(captions, VOCAB, char_to_idx), whole)


def test_bad_caption_arrays_are_refused(chars):
    _, char_to_idx = chars.char_vocabulary(VOCAB)
    with pytest.raises(ValueError, match="2-D"):
        chars.words_to_chars(np.array(encode(["a"], 4)), VOCAB, char_to_idx)


def test_real_word_share_counts_words_of_the_vocabulary(chars):
    assert chars.real_word_share(["a cta on", "mat <UNK>"], VOCAB) == 3 / 5
    assert np.isnan(chars.real_word_share(["", " "], VOCAB))


def tiny_data(num=20, width=6):
    rng = np.random.RandomState(1)
    captions = np.array([encode(list(rng.choice(VOCAB[4:], rng.randint(1, 4))), width) for _ in range(num)])
    return {"train_captions": captions, "train_image_idxs": np.arange(num) % 5,
            "train_features": rng.randn(5, 4), "val_captions": captions[:6],
            "val_image_idxs": np.arange(6) % 5, "val_features": rng.randn(5, 4),
            "train_urls": np.array([""] * 5), "val_urls": np.array([""] * 5),
            "idx_to_word": VOCAB, "word_to_idx": W}


def solver_for(ref, data, model=None):
    model = model or submodule(ref, "classifiers.rnn").CaptioningRNN(
        data["word_to_idx"], input_dim=4, hidden_dim=8, wordvec_dim=6)
    return submodule(ref, "captioning_solver").CaptioningSolver(
        model, data, update_rule="adam", batch_size=5, lr_decay=0.5, verbose=False)


def test_training_stops_at_the_budget_and_decays_at_epoch_ends(ref, compare):
    solver = solver_for(ref, tiny_data())
    began = time.perf_counter()
    run = compare.train_for_seconds(solver, 0.3)
    spent = time.perf_counter() - began
    assert run.iterations >= 1 and len(solver.loss_history) == run.iterations
    assert 0.3 <= spent < 0.3 + 10 * max(run.step_seconds) + 0.5
    assert solver.epoch == run.iterations // 4            # 20 captions / batch 5
    rate = next(iter(solver.optim_configs.values()))["learning_rate"]
    assert rate == pytest.approx(1e-3 * 0.5 ** solver.epoch)   # adam's default rate, decayed
    assert run.final_loss == pytest.approx(np.mean(run.losses[-compare.FINAL_WINDOW:]))


class UntouchedModel:
    """The handout's CaptioningRNN before the student writes loss and sample."""
    def __init__(self):
        self.params = {"W_embed": np.zeros((8, 2))}
        self._null = 0

    def loss(self, features, captions):
        return 0.0, {}

    def sample(self, features, max_length=30):
        return np.zeros((len(features), max_length), dtype=np.int32)


def test_the_untouched_handout_gets_the_notebooks_friendly_messages(ref, compare):
    data = tiny_data()
    with pytest.raises(NotImplementedError, match=r"CaptioningRNN.loss is not implemented yet \(it returned loss 0.0"):
        compare.train_for_seconds(solver_for(ref, data, UntouchedModel()), 5)
    rows = compare.evaluation_rows(data, 3)
    with pytest.raises(NotImplementedError, match="CaptioningRNN.loss is not implemented yet"):
        compare.measure(UntouchedModel(), "word", None, data, VOCAB, rows)
    with pytest.raises(NotImplementedError, match=r"CaptioningRNN.sample is not implemented yet \(it returned only <NULL>"):
        compare.sample_texts(UntouchedModel(), "word", data, rows)


def test_measure_and_the_table(ref, compare, chars):
    data = tiny_data()
    char_data = chars.char_captioning_data(data)
    results = []
    for level, level_data in (("word", data), ("char", char_data)):
        solver = solver_for(ref, level_data)
        run = compare.train_for_seconds(solver, 0.2)
        rows = compare.evaluation_rows(data, 4)
        results.append(compare.measure(solver.model, level, run, level_data, VOCAB, rows))
    word, char = results
    assert (word["vocabulary"], char["vocabulary"]) == (len(VOCAB), len(char_data["idx_to_word"]))
    assert word["embedding"] == len(VOCAB) * 6 and word["output"] == 8 * len(VOCAB) + len(VOCAB)
    assert word["total"] == word["embedding"] + word["output"] + word["other"] and word["other"] == char["other"]
    assert char["timesteps"] == char_data["train_captions"].shape[1] - 1 > word["timesteps"]
    assert len(word["samples"]) == len(char["samples"]) == 4
    assert all(0 <= r["real_words"] <= 1 or np.isnan(r["real_words"]) for r in results)
    table = compare.comparison_table(results).splitlines()
    assert len(table) == 1 + len(compare.TABLE_ROWS)
    assert table[0].split()[-2:] == ["word-level", "char-level"]
    assert table[1].split()[-2:] == [str(len(VOCAB)), str(char["vocabulary"])]


def test_a_model_that_was_not_trained_is_named(ref, compare):
    data = tiny_data()
    model = solver_for(ref, data).model
    with pytest.raises(RuntimeError, match="char-level model has not been trained yet"):
        compare.measure(model, "char", None, data, VOCAB, compare.evaluation_rows(data, 2))


def test_a_budget_too_small_for_one_iteration_is_named(ref, compare):
    data = tiny_data()
    solver = solver_for(ref, data)
    run = compare.train_for_seconds(solver, 0)
    assert run.iterations == 0
    with pytest.raises(RuntimeError, match="made no iteration in 0 s: raise budget_seconds"):
        compare.measure(solver.model, "word", run, data, VOCAB, compare.evaluation_rows(data, 2))
