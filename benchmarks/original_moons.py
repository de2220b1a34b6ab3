"""The original material's NumPy network for make_moons, re-implemented from its published facts.

A layer base class with ``forward(input)`` / ``backward(input, grad_output)``; ``Dense`` with
``randn`` weights and zero biases that updates its weights inside ``backward``; ReLU and Sigmoid
layers (Sigmoid recomputes its output in backward); the summed squared error is reported, and the
gradient fed back is 2·(p − y) averaged over the batch: only that reproduces the published result
(final summed error 16.97, training accuracy 0.978 with ``np.random.seed(0)``); with the un-averaged
2·(p − y) and learning rate 0.8 every seed saturates at 500. Learning rate 0.8; full-batch steps.
Kept only as the baseline for benchmarks/run.py.
"""
import numpy as np


class Layer:
    def forward(self, input):
        return input

    def backward(self, input, grad_output):
        return grad_output


class ReLU(Layer):
    def forward(self, input):
        return np.maximum(0, input)

    def backward(self, input, grad_output):
        return grad_output * (input > 0)


class Sigmoid(Layer):
    def forward(self, input):
        return 1 / (1 + np.exp(-input))

    def backward(self, input, grad_output):
        s = 1 / (1 + np.exp(-input))
        return grad_output * s * (1 - s)


class Dense(Layer):
    def __init__(self, input_units, output_units, learning_rate=0.8, weights=None):
        self.learning_rate = learning_rate
        self.weights = np.random.randn(input_units, output_units) if weights is None else weights.copy()
        self.biases = np.zeros(output_units)

    def forward(self, input):
        return np.dot(input, self.weights) + self.biases

    def backward(self, input, grad_output):
        grad_input = np.dot(grad_output, self.weights.T)
        grad_weights = np.dot(input.T, grad_output)
        grad_biases = grad_output.mean(axis=0) * input.shape[0]
        self.weights = self.weights - self.learning_rate * grad_weights
        self.biases = self.biases - self.learning_rate * grad_biases
        return grad_input


def build(weights=None):
    w = weights or [None] * 4
    return [Dense(2, 64, weights=w[0]), ReLU(), Dense(64, 32, weights=w[1]), Sigmoid(),
            Dense(32, 16, weights=w[2]), Sigmoid(), Dense(16, 1, weights=w[3]), Sigmoid()]


def forward(network, X):
    activations = []
    input = X
    for layer in network:
        activations.append(layer.forward(input))
        input = activations[-1]
    return activations


def train_step(network, X, y):
    activations = forward(network, X)
    layer_inputs = [X] + activations
    p = activations[-1]
    loss = np.sum((p - y) ** 2)
    grad = 2 * (p - y) / len(X)
    for i in range(len(network))[::-1]:
        grad = network[i].backward(layer_inputs[i], grad)
    return loss


def predict(network, X):
    return forward(network, X)[-1]
