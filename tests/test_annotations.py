"""AudioSet-style annotation targets."""

import pandas as pd
import pytest

from soundsight.labels.annotations import annotation_codes


def test_codes_follow_the_training_vocabulary():
    frames = pd.DataFrame(
        {
            "frame_id": ["a", "b", "c"],
            "video_id": ["v1", "v2", "v3"],
            "split": ["train", "train", "test"],
            "labels": ["dog;music", "", "dog;bird"],
        }
    )
    table, vocab = annotation_codes(frames)
    assert vocab == ["dog", "music"]  # bird only occurs in test: not in the vocabulary
    assert list(table["code"]) == ["11", "00", "10"]


def test_no_labels_is_an_error():
    frames = pd.DataFrame(
        {"frame_id": ["a"], "video_id": ["v"], "split": ["train"], "labels": [None]}
    )
    with pytest.raises(ValueError, match="labels"):
        annotation_codes(frames)
