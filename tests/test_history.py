"""History and Result: recording, freezing, exporting."""

import csv
import io
import json
import os

import numpy as np
import pytest

from gdlab.history import HUGE_PAGE, History, Recorder, Result, write_text_atomic


def recorded(rows=5, capacity=2, shape=(2,)):
    recorder = Recorder(shape, np.dtype(np.float64), capacity=capacity)
    for k in range(rows):
        recorder.record(10.0 - k, 2.0 * k, 0.1, np.array([k, -k], dtype=float))
    return recorder


def test_recorder_grows_past_its_capacity():
    history = recorded(rows=9, capacity=2).history()
    assert len(history) == 9
    np.testing.assert_array_equal(history.step, np.arange(9))
    np.testing.assert_array_equal(history.loss, 10.0 - np.arange(9))
    np.testing.assert_array_equal(history.x[:, 1], -np.arange(9))


def test_reserved_rows_count_once_committed():
    """A compiled loop fills reserved views; only the committed rows become History rows."""
    recorder = recorded(rows=3, capacity=4)
    columns, x = recorder.reserve(6)  # past the capacity: a new segment, the 3 rows kept
    assert columns.shape == (6, 3) and x.shape == (6, 2)
    columns[:] = [[-1.0, 1.0, 0.5]] * 6
    x[:] = 7.0
    recorder.commit(2)  # rows 5 … 8 were written but are not kept
    history = recorder.history()
    np.testing.assert_array_equal(history.loss, [10.0, 9.0, 8.0, -1.0, -1.0])
    np.testing.assert_array_equal(history.x[3:], 7.0)
    np.testing.assert_array_equal(history.x[:3, 1], [0.0, -1.0, -2.0])
    with pytest.raises(ValueError, match=r"count must be in \[0, "):
        recorder.commit(7)


def test_segments_are_never_copied_while_recording():
    """Growth adds a segment at least as long as all rows so far: reserved views stay valid."""
    recorder = Recorder(None, np.dtype(np.float32), capacity=4)
    views = []
    for epoch in range(6):
        columns, x = recorder.reserve(3)
        assert x is None and columns.shape == (3, 3)
        columns[:] = epoch
        views.append(columns)
        recorder.commit(3)
    views[0][:] = -1.0  # the first epoch's rows were never moved: the view still writes them
    history = recorder.history()
    np.testing.assert_array_equal(history.loss, np.repeat([-1, 1, 2, 3, 4, 5], 3))
    assert len(recorder._segments) <= 4  # 4 + 6 + 12 rows of room for 18 rows
    np.testing.assert_array_equal(recorder.steps()[:, 2], history.learning_rate)
    assert recorder.path() is None


def mapping_flags(array):
    """The VmFlags of the /proc/self/smaps mapping that holds the array's first byte."""
    address = array.__array_interface__["data"][0]
    with open("/proc/self/smaps") as smaps:
        inside = False
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                low, high = (int(part, 16) for part in head.split("-"))
                inside = low <= address < high
            elif inside and head == "VmFlags:":
                return line.split()[1:]
    raise AssertionError("no mapping holds the array")


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="Linux's /proc only")
def test_large_segments_ask_for_no_huge_pages_and_record_as_any():
    """Segments from HUGE_PAGE bytes are memory advised MADV_NOHUGEPAGE ("nh"); small ones are
    NumPy's own arrays."""
    rows = HUGE_PAGE // 24 + 1  # 3 float64 columns
    recorder = Recorder((2,), np.dtype(np.float32), capacity=rows)
    columns, x = recorder.reserve(rows)
    assert "nh" in mapping_flags(columns)
    assert x is not None and x.flags.writeable and x.dtype == np.float32
    columns[:] = np.arange(3.0)
    x[:] = 7.0
    recorder.commit(rows)
    history = recorder.history()
    np.testing.assert_array_equal(history.grad_norm, np.ones(rows))
    np.testing.assert_array_equal(history.x, np.full((rows, 2), 7.0, np.float32))
    small = Recorder(None, np.dtype(np.float64), capacity=4)
    assert small._segments[0].columns.base is None  # np.empty's own memory


def test_history_is_a_copy_not_a_view():
    recorder = recorded()
    history = recorder.history()
    recorder.record(-1.0, 0.0, 0.1, np.zeros(2))
    assert len(history) == 5


def test_to_dict_and_json():
    history = recorded().history()
    data = json.loads(history.to_json())
    assert data["loss"] == [10.0, 9.0, 8.0, 7.0, 6.0]
    assert data["x"][2] == [2.0, -2.0]
    assert "epoch" not in data


def test_non_finite_values_become_null_in_json():
    history = History(np.arange(2), np.array([1.0, np.inf]), np.zeros(2), np.array([0.1, np.nan]))
    assert json.loads(history.to_json())["loss"] == [1.0, None]


def test_step_csv_has_one_row_per_step_with_coordinates(tmp_path):
    history = recorded().history()
    path = tmp_path / "history.csv"
    text = history.to_csv(path)
    assert path.read_text() == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["step", "loss", "grad_norm", "learning_rate", "x_0", "x_1"]
    assert rows[3]["x_1"] == "-3.0" and rows[3]["loss"] == "7.0"


def test_epoch_csv():
    history = History(
        np.arange(4),
        np.ones(4),
        np.ones(4),
        np.ones(4),
        epoch=np.array([0, 1]),
        epoch_step=np.array([2, 4]),
        epoch_loss=np.array([0.5, 0.25]),
    )
    rows = list(csv.DictReader(io.StringIO(history.to_csv(level="epoch"))))
    assert rows == [
        {"epoch": "0", "epoch_step": "2", "epoch_loss": "0.5"},
        {"epoch": "1", "epoch_step": "4", "epoch_loss": "0.25"},
    ]


def test_epoch_csv_without_epochs_is_refused():
    with pytest.raises(ValueError, match="no epoch-level arrays"):
        recorded().history().to_csv(level="epoch")
    with pytest.raises(ValueError, match="level must be 'step' or 'epoch'"):
        recorded().history().to_csv(level="batch")


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")
    write_text_atomic(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    path = tmp_path / "fresh.csv"
    write_text_atomic(path, "a,b\n")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_result_status_is_checked():
    history = recorded().history()
    with pytest.raises(ValueError, match="status must be one of"):
        Result(np.zeros(2), 0.0, 4, "fine", "", history)
    result = Result(np.zeros(2), 0.0, 4, "converged", "ok", history)
    assert json.loads(json.dumps(result.to_dict()))["status"] == "converged"
