"""Recall sources beside the text-CNN's own matrices, each numpy-only at serving time."""
