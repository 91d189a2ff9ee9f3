import matplotlib
import numpy as np
import pytest

from acgan_lib import viz
from acgan_lib.grids import LABEL_MARGIN, image_grid, labelled_grid, save_labelled_grid, unlabelled
from acgan_lib.labels import EYE_COLOURS, HAIR_COLOURS
from acgan_lib.results import read_captions

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


@pytest.fixture(autouse=True)
def close_figures():
    """Each test's figures are closed after it (matplotlib keeps every open one)."""
    yield
    plt.close("all")

def test_image_grid_places_each_image_in_its_cell():
    images = np.stack([np.full((4, 4, 3), value, np.uint8) for value in (10, 20, 30)])
    grid = image_grid(images, columns=2, padding=1, fill=255)
    assert grid.shape == (1 + 2 * 5, 1 + 2 * 5, 3)
    assert grid[1, 1, 0] == 10 and grid[1, 6, 0] == 20 and grid[6, 1, 0] == 30
    assert grid[6, 6, 0] == 255  # the empty fourth cell keeps the fill
    assert grid[0, 0, 0] == 255  # padding


def test_image_grid_rejects_float_images():
    with pytest.raises(ValueError, match="uint8"):
        image_grid(np.zeros((2, 4, 4, 3), np.float32), columns=2)


def test_label_counts_and_heatmap():
    counts = viz.label_counts([0, 0, 11], [10, 10, 3])
    assert counts.shape == (12, 11) and counts[0, 10] == 2 and counts[11, 3] == 1 and counts.sum() == 3
    figure = viz.plot_label_distribution([0, 0, 11], [10, 10, 3])
    assert len(figure.axes[0].texts) == 12 * 11


def test_save_figure_writes_only_when_a_report_folder_is_set(tmp_path, monkeypatch):
    figure = viz.show_grid(np.zeros((4, 8, 8, 3), np.uint8), columns=2, row_labels=["a", "b"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACGAN_REPORT_DIR", raising=False)
    viz.save_figure(figure, "grid", "four black squares")
    assert not list(tmp_path.rglob("*.png")) and not list(tmp_path.rglob("*.json"))
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path / "report"))
    viz.save_figure(figure, "grid", "four black squares")
    assert (tmp_path / "report" / "figures" / "grid.png").stat().st_size > 0
    assert read_captions(tmp_path / "report") == {"grid": "four black squares"}


def test_swatch_plot_names_every_class():
    figure = viz.plot_swatches()
    hair_axes, eye_axes = figure.axes
    assert len(hair_axes.get_xticklabels()) == 12 and len(eye_axes.get_xticklabels()) == 11
    assert hair_axes.get_xticklabels()[11].get_text() == "11\nblonde"


def test_show_grid_names_rows_and_columns():
    figure = viz.show_grid(np.zeros((6, 8, 8, 3), np.uint8), columns=3, row_labels=["r0", "r1"],
                           column_labels=["c0", "c1", "c2"])
    axes = figure.axes[0]
    assert [label.get_text() for label in axes.get_yticklabels()] == ["r0", "r1"]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["c0", "c1", "c2"]


def test_stretch_contrast_uses_the_full_range_per_image():
    images = np.stack([np.linspace(0.49, 0.51, 48).reshape(4, 4, 3), np.full((4, 4, 3), 0.3)])
    stretched = viz.stretch_contrast(images)
    assert stretched.dtype == np.uint8 and stretched.shape == images.shape
    assert stretched[0].min() == 0 and stretched[0].max() == 255
    assert (stretched[1] == 128).all()  # a flat image becomes mid-grey
    together = viz.stretch_contrast(images, per_image=False)  # one range for the batch: 0.3 is its minimum
    assert (together[1] == 0).all() and together[0].max() == 255
    with pytest.raises(ValueError, match="count, height, width"):
        viz.stretch_contrast(np.zeros((4, 4, 3)))


def test_show_maps_draws_one_panel_per_map_with_values():
    figure = viz.show_maps([np.eye(2), np.arange(6).reshape(2, 3)], titles=["a", "b"], annotate=True)
    first, second = figure.axes
    assert first.get_title() == "a" and len(first.texts) == 4 and len(second.texts) == 6
    with pytest.raises(ValueError, match="titles"):
        viz.show_maps([np.eye(2)], titles=["a", "b"])
    with pytest.raises(ValueError, match="2-D"):
        viz.show_maps([np.zeros(3)])


def test_parameter_breakdown_plot_has_a_bar_per_model_and_group():
    figure = viz.plot_parameter_breakdown({"D": {"down1": 10, "head": 5}, "D'": {"down1": 10, "head": 50}})
    axes = figure.axes[0]
    assert [label.get_text() for label in axes.get_yticklabels()] == ["down1", "head"]
    assert len(axes.patches) == 4
    assert {text.get_text() for text in axes.texts} >= {"10", "5", "50"}
    with pytest.raises(ValueError, match="at least one"):
        viz.plot_parameter_breakdown({})


def test_histograms_one_per_sample():
    figure = viz.plot_histograms({"uniform": np.linspace(-1, 1, 100), "gaussian": np.zeros(100)}, bins=10)
    axes = figure.axes[0]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["uniform", "gaussian"]
    assert len(axes.patches) == 20


def crafted_history(steps=120, **columns):
    """History rows with the run_records columns; a column's value may be a function of the step."""
    rows = []
    for step in range(1, steps + 1):
        row = {"step": step, "d_loss": 1.0, "g_loss": 2.0 + step / 100, "d_accuracy": 0.7, "g_accuracy": 0.2,
               "hair_accuracy_fake": float("nan"), "d_grad_norm": 3.0, "g_grad_norm": 0.5,
               "real_spread": 0.2, "fake_spread": 0.1}
        row.update({name: value(step) if callable(value) else value for name, value in columns.items()})
        rows.append(row)
    return rows


def test_plot_history_groups_columns_into_panels_and_marks_the_coin_toss():
    figure = viz.plot_history(crafted_history(), marks={"resumed": 60})
    panels = {axes.get_ylabel(): axes for axes in figure.axes if axes.get_visible()}
    assert set(panels) == {"loss", "accuracy", "gradient norm", "batch spread"}
    accuracy = panels["accuracy"]
    assert any(list(line.get_ydata()) == [0.5, 0.5] for line in accuracy.lines)  # the 0.5 line
    assert panels["gradient norm"].get_yscale() == "log"
    assert any(text.get_text() == "resumed" for text in accuracy.texts)
    labels = [text.get_text() for text in panels["loss"].get_legend().get_texts()]
    assert labels == ["d_loss (mean of 3)", "g_loss (mean of 3)"]  # 120 steps: smoothed over 120 // 40


def test_plot_history_leaves_out_nan_columns_and_names_bad_ones():
    figure = viz.plot_history(crafted_history(steps=10), columns=["d_accuracy", "hair_accuracy_fake"])
    (accuracy,) = figure.axes
    assert [text.get_text() for text in accuracy.get_legend().get_texts()] == ["d_accuracy", "0.5"]
    only_nan_left_out = viz.plot_history(crafted_history(steps=10), columns=["hair_accuracy_fake", "d_accuracy"])
    assert [axes.get_ylabel() for axes in only_nan_left_out.axes] == ["accuracy"]
    rows = crafted_history(steps=10, hair_accuracy_real=0.3)
    panels = [axes.get_ylabel() for axes in viz.plot_history(rows, columns=["hair_accuracy_real", "d_accuracy"]).axes]
    assert panels == ["class accuracy", "accuracy"]  # class accuracies get their own panel and chance line
    with pytest.raises(ValueError, match="unknown history column.*valid: d_loss"):
        viz.plot_history(crafted_history(steps=10), columns=["d_acc"])
    with pytest.raises(ValueError, match="NaN"):
        viz.plot_history(crafted_history(steps=10), columns=["hair_accuracy_fake"])
    with pytest.raises(ValueError, match="empty"):
        viz.plot_history([])


def test_trailing_mean_looks_only_back_and_skips_nan():
    np.testing.assert_allclose(viz.trailing_mean([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(viz.trailing_mean([1, np.nan, 3], 2), [1, 1, 3])


def test_plot_histories_one_panel_each_with_notes():
    histories = {"balanced": crafted_history(steps=20), "failing": crafted_history(steps=20, d_accuracy=0.5)}
    figure = viz.plot_histories(histories, notes={"failing": "seed_failure"})
    assert [axes.get_title() for axes in figure.axes] == ["balanced", "failing"]
    assert figure.axes[1].texts[-1].get_text() == "seed_failure"
    with pytest.raises(ValueError, match="no column"):
        viz.plot_histories(histories, columns=["d_acc"])


def test_plot_histories_puts_each_kind_of_number_on_its_own_row_with_marks():
    histories = {"baseline": crafted_history(steps=20), "raised": crafted_history(steps=20, d_accuracy=0.5)}
    figure = viz.plot_histories(histories, columns=["d_accuracy", "g_accuracy", "d_grad_norm"],
                                marks={"raised": {"rate x3": 10}}, notes={"raised": "seed_failure"}, smooth=3)
    assert len(figure.axes) == 4  # 2 kinds (accuracy, gradient norm) x 2 histories
    top, bottom = figure.axes[:2], figure.axes[2:]
    assert [axis.get_title() for axis in top] == ["baseline", "raised"]
    assert [axis.get_ylabel() for axis in top] == ["accuracy"] * 2
    assert [axis.get_ylabel() for axis in bottom] == ["gradient norm"] * 2
    assert {axis.get_yscale() for axis in figure.axes if axis.get_ylabel() == "gradient norm"} == {"log"}
    assert any(text.get_text() == "rate x3" for text in figure.axes[1].texts)
    assert not any(text.get_text() == "rate x3" for text in figure.axes[0].texts)
    with pytest.raises(ValueError, match="smooth must be a positive integer"):
        viz.plot_histories(histories, smooth=0)


def test_plot_points_one_row_per_run_and_a_panel_per_snapshot():
    real = np.random.default_rng(0).standard_normal((50, 2))
    figure = viz.plot_points({"a": {0: real, 100: real}, "b": {100: real}}, real, notes={"b": "2 modes"})
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert [axis.get_title() for axis in visible] == ["step 0", "step 100", "step 100"]
    assert "2 modes" in figure.axes[2].get_ylabel()
    with pytest.raises(ValueError, match="at least one"):
        viz.plot_points({"a": {}}, real)


def test_plot_bars_one_panel_per_metric_with_reference_lines():
    table = {"quick": {"hair": 0.9, "eyes": 0.5}, "no norm": {"hair": 0.3, "eyes": 0.1}}
    figure = viz.plot_bars(table, ["hair", "eyes"], reference={"hair": 1 / 12})
    assert [axis.get_title() for axis in figure.axes] == ["hair", "eyes"]
    assert [patch.get_width() for patch in figure.axes[0].patches] == [0.9, 0.3]
    assert len(figure.axes[0].lines) == 1 and not figure.axes[1].lines
    with pytest.raises(ValueError, match="lack the metric"):
        viz.plot_bars(table, ["fid"])


def judgement(step, fid, g_fid=None):
    row = {"step": step, "eye_accuracy": 0.9, "fid": fid, "fid_real_floor": 8.0, "ms_ssim_generated": 0.5,
           "ms_ssim_real": 0.45}
    if g_fid is not None:
        row.update({"G_eye_accuracy": 0.8, "G_fid": g_fid, "G_ms_ssim_generated": 0.6})
    return row


def test_plot_judgements_draws_the_average_g_and_each_target():
    figure = viz.plot_judgements([judgement(1000, 100.0, 300.0), judgement(2000, 40.0, 90.0)])
    eyes, fid, ms_ssim = figure.axes
    assert fid.get_yscale() == "log"
    assert [line.get_label() for line in fid.lines] == ["the moving average (saved)", "G itself", "target"]
    assert list(fid.lines[1].get_ydata()) == [300.0, 90.0] and list(fid.lines[2].get_ydata()) == [40.0, 40.0]
    assert list(ms_ssim.lines[2].get_ydata()) == pytest.approx([0.5, 0.5])
    assert list(eyes.lines[-1].get_ydata()) == [0.90, 0.90]
    without_average = viz.plot_judgements([judgement(1000, 100.0)])  # a run without the average: no G line
    assert len(without_average.axes[1].lines) == 2
    with pytest.raises(ValueError, match="at least one judgement"):
        viz.plot_judgements([])


def sample_grid_picture(value, cell=4):
    """A picture laid out like GANTrainer.sample_grid: 12 hair rows by 11 eye columns."""
    return image_grid(np.full((12 * 11, cell, cell, 3), value, np.uint8), columns=11)


def test_show_samples_names_hair_rows_and_eye_columns(tmp_path):
    from PIL import Image

    Image.fromarray(sample_grid_picture(7)).save(tmp_path / "grid.png")
    figure = viz.show_samples(tmp_path / "grid.png", title="step 7")
    axes = figure.axes[0]
    assert axes.get_yticklabels()[0].get_text() == "orange hair"
    assert axes.get_xticklabels()[-1].get_text() == "blue eyes"
    with pytest.raises(ValueError, match="one label per cell"):
        viz.show_picture(sample_grid_picture(7), rows=2, row_labels=["a"])


HAIR_NAMES, EYE_NAMES = [f"{name} hair" for name in HAIR_COLOURS], [f"{name} eyes" for name in EYE_COLOURS]


def test_a_labelled_grid_writes_names_in_its_margin_and_keeps_the_grid_whole(tmp_path):
    grid = sample_grid_picture(7, cell=32)
    picture = labelled_grid(grid, HAIR_NAMES, EYE_NAMES)
    assert picture.shape == (grid.shape[0] + LABEL_MARGIN, grid.shape[1] + LABEL_MARGIN, 3)
    np.testing.assert_array_equal(picture[LABEL_MARGIN:, LABEL_MARGIN:], grid)
    first_row = picture[LABEL_MARGIN + 1 : LABEL_MARGIN + 33, :LABEL_MARGIN]
    last_column = picture[:LABEL_MARGIN, -33:-1]
    assert (first_row < 128).any() and (last_column < 128).any()  # dark text beside row 1 and above column 11
    assert (picture[:LABEL_MARGIN, :LABEL_MARGIN] == 255).all()  # the corner stays blank
    save_labelled_grid(picture, tmp_path / "grid.png")
    from PIL import Image

    np.testing.assert_array_equal(unlabelled(Image.open(tmp_path / "grid.png")), grid)


def test_sample_grids_and_progress_strip(tmp_path):
    from PIL import Image

    with pytest.raises(FileNotFoundError, match="no sample grids"):
        viz.sample_grids(tmp_path)
    for step in (10, 20, 30, 40, 50, 60, 70):
        Image.fromarray(sample_grid_picture(step)).save(tmp_path / f"step_{step:06d}.png")
    save_labelled_grid(labelled_grid(sample_grid_picture(80), HAIR_NAMES, EYE_NAMES), tmp_path / "step_000080.png")
    grids = viz.sample_grids(tmp_path)  # the labelled grid that training saves comes back bare
    assert list(grids) == [10, 20, 30, 40, 50, 60, 70, 80] and grids[30][1, 1, 0] == 30
    np.testing.assert_array_equal(grids[80], sample_grid_picture(80))
    figure = viz.show_progress(tmp_path, panels=4, rows=2, columns=3)
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["step 10", "step 30", "step 60", "step 80"]  # evenly spaced, first and last kept
    assert figure.axes[0].images[0].get_array().shape[:2] == (2 * 5 + 1, 3 * 5 + 1)  # 2 x 3 cells of 4 pixels
    with pytest.raises(ValueError, match="empty"):
        viz.show_progress({})


def test_confusion_plot_shows_shares_of_each_requested_colour():
    hair = np.diag(np.full(12, 5))
    hair[0] = [0, 4] + [0] * 9 + [1]  # orange asked 5 times: 4 read as white, 1 as blonde
    figure = viz.plot_confusion(hair, np.eye(11, dtype=int))
    hair_axis, eye_axis = figure.axes[:2]
    assert hair_axis.images[0].get_array()[0, 1] == pytest.approx(0.8)
    assert {text.get_text() for text in hair_axis.texts} == {"80", "20", "100"}
    assert len(eye_axis.texts) == 11
    with pytest.raises(ValueError, match="12 x 12"):
        viz.plot_confusion(np.eye(11), np.eye(11))


def test_neighbours_figure_puts_each_query_before_its_neighbours():
    queries = np.full((2, 4, 4, 3), 200, np.uint8)
    references = np.stack([np.full((4, 4, 3), value, np.uint8) for value in (0, 50, 100)])
    figure = viz.show_neighbours(queries, references, [[2, 0], [1, 2]], distances=[[3.0, 4.0], [5.5, 6.0]])
    picture = figure.axes[0].images[0].get_array()
    assert picture.shape[:2] == (1 + 2 * 5, 1 + 3 * 5)
    assert picture[1, 1, 0] == 200 and picture[1, 6, 0] == 100 and picture[6, 6, 0] == 50
    assert [label.get_text() for label in figure.axes[0].get_yticklabels()] == ["3.0", "5.5"]
    with pytest.raises(ValueError, match="one row per query"):
        viz.show_neighbours(queries, references, [[0, 1]])
