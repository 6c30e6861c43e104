"""Provided fully-connected (affine) layers, as in the original assignment handouts.

Code written against those handouts begins with `from cs231n.layers import *`; it keeps working.
The same two functions are also defined in cs231n/rnn_layers.py (`from cs231n.rnn_layers import *`).
"""
import numpy as np

__all__ = ['affine_forward', 'affine_backward']


def affine_forward(x, w, b):
    """Compute the forward pass for a fully-connected (affine) layer.

    The input x has shape (N, d_1, ..., d_k): a minibatch of N examples, each of which is
    reshaped into a vector of dimension D = d_1 * ... * d_k.

    Inputs:
    - x: Input data of shape (N, d_1, ..., d_k)
    - w: Weights of shape (D, M)
    - b: Biases of shape (M,)

    Returns a tuple of:
    - out: Output of shape (N, M)
    - cache: Values needed in the backward pass
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    cache = (x, w)
    return out, cache


def affine_backward(dout, cache):
    """Compute the backward pass for a fully-connected (affine) layer.

    Inputs:
    - dout: Upstream gradient of shape (N, M)
    - cache: Cache from affine_forward

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, d_1, ..., d_k)
    - dw: Gradient with respect to w, of shape (D, M)
    - db: Gradient with respect to b, of shape (M,)
    """
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
