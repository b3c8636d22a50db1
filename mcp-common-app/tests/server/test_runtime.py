"""GC tuning: the start-up heap is frozen and the young generation collected less often."""

import gc

import pytest

from mcp_common.server import GC_THRESHOLDS, tune_gc


def test_tune_gc_freezes_the_heap_and_raises_thresholds() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_thresholds_must_be_positive() -> None:
    with pytest.raises(ValueError):
        tune_gc((0, 10, 10))
