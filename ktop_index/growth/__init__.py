"""Stage 3, growth: outcomes (high growth, sustainable growth), the growth model that learns
the index's weights from them, its validation and its card.

Modules: ``outcomes`` · ``model`` (``GrowthModel``) · ``validation`` · ``card``.
"""
