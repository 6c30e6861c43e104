"""Student 06: long descriptive names, np.matmul, the hidden states preallocated with the input's
dtype; RNN only (LSTM not attempted)."""
LAYOUT = "2021"
VECTORISED = ("    for sample_index in range(num_samples):\n        embedding_gradient[word_indices[sample_index]] += upstream_rows[sample_index]\n",
              "    np.add.at(embedding_gradient, word_indices, upstream_rows)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    pre_activation = np.matmul(x, Wx) + np.matmul(prev_h, Wh) + b
    next_h = np.tanh(pre_activation)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    step_input, previous_hidden, input_weights, hidden_weights, new_hidden = cache
    grad_pre_activation = dnext_h * (1.0 - np.square(new_hidden))
    dx = np.matmul(grad_pre_activation, input_weights.T)
    dprev_h = np.matmul(grad_pre_activation, hidden_weights.T)
    dWx = np.matmul(step_input.T, grad_pre_activation)
    dWh = np.matmul(previous_hidden.T, grad_pre_activation)
    db = np.sum(grad_pre_activation, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    batch_size, sequence_length, _ = x.shape
    hidden_size = h0.shape[1]
    h = np.zeros((batch_size, sequence_length, hidden_size), dtype=x.dtype)
    step_caches = []
    current_hidden = h0
    for time_step in range(sequence_length):
        current_hidden, step_cache = rnn_step_forward(x[:, time_step, :], current_hidden, Wx, Wh, b)
        h[:, time_step, :] = current_hidden
        step_caches.append(step_cache)
    cache = step_caches


def rnn_backward(dh, cache):
    batch_size, sequence_length, hidden_size = dh.shape
    input_size = cache[0][0].shape[1]
    dx = np.zeros((batch_size, sequence_length, input_size))
    dWx = np.zeros((input_size, hidden_size))
    dWh = np.zeros((hidden_size, hidden_size))
    db = np.zeros(hidden_size)
    hidden_gradient = np.zeros((batch_size, hidden_size))
    for time_step in reversed(range(sequence_length)):
        total_gradient = dh[:, time_step, :] + hidden_gradient
        step_dx, hidden_gradient, step_dWx, step_dWh, step_db = rnn_step_backward(total_gradient, cache[time_step])
        dx[:, time_step, :] = step_dx
        dWx += step_dWx
        dWh += step_dWh
        db += step_db
    dh0 = hidden_gradient


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    word_indices, weight_shape = cache
    embedding_gradient = np.zeros(weight_shape)
    word_indices = word_indices.reshape(-1)
    upstream_rows = dout.reshape(-1, weight_shape[1])
    num_samples = word_indices.shape[0]
    for sample_index in range(num_samples):
        embedding_gradient[word_indices[sample_index]] += upstream_rows[sample_index]
    dW = embedding_gradient


def loss(self, features, captions):
    initial_hidden, projection_cache = affine_forward(features, W_proj, b_proj)
    word_vectors, embedding_cache = word_embedding_forward(captions_in, W_embed)
    hidden_states, rnn_cache = rnn_forward(word_vectors, initial_hidden, Wx, Wh, b)
    vocabulary_scores, vocabulary_cache = temporal_affine_forward(hidden_states, W_vocab, b_vocab)
    loss, scores_gradient = temporal_softmax_loss(vocabulary_scores, captions_out, mask)

    hidden_gradient, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(scores_gradient, vocabulary_cache)
    word_vector_gradient, initial_hidden_gradient, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(
        hidden_gradient, rnn_cache)
    grads['W_embed'] = word_embedding_backward(word_vector_gradient, embedding_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(initial_hidden_gradient, projection_cache)


def sample(self, features, max_length=30):
    current_hidden, _ = affine_forward(features, W_proj, b_proj)
    current_words = np.full(N, self._start)
    for time_step in range(max_length):
        word_vectors = W_embed[current_words]
        current_hidden, _ = rnn_step_forward(word_vectors, current_hidden, Wx, Wh, b)
        vocabulary_scores, _ = affine_forward(current_hidden, W_vocab, b_vocab)
        current_words = np.argmax(vocabulary_scores, axis=1)
        captions[:, time_step] = current_words
