import matplotlib
import numpy as np
import pytest

from acgan_lib import viz

matplotlib.use("Agg")


def test_image_grid_places_each_image_in_its_cell():
    images = np.stack([np.full((4, 4, 3), value, np.uint8) for value in (10, 20, 30)])
    grid = viz.image_grid(images, columns=2, padding=1, fill=255)
    assert grid.shape == (1 + 2 * 5, 1 + 2 * 5, 3)
    assert grid[1, 1, 0] == 10 and grid[1, 6, 0] == 20 and grid[6, 1, 0] == 30
    assert grid[6, 6, 0] == 255  # the empty fourth cell keeps the fill
    assert grid[0, 0, 0] == 255  # padding


def test_image_grid_rejects_float_images():
    with pytest.raises(ValueError, match="uint8"):
        viz.image_grid(np.zeros((2, 4, 4, 3), np.float32), columns=2)


def test_label_counts_and_heatmap():
    counts = viz.label_counts([0, 0, 11], [10, 10, 3])
    assert counts.shape == (12, 11) and counts[0, 10] == 2 and counts[11, 3] == 1 and counts.sum() == 3
    figure = viz.plot_label_distribution([0, 0, 11], [10, 10, 3])
    assert len(figure.axes[0].texts) == 12 * 11


def test_save_figure_writes_only_when_a_report_folder_is_set(tmp_path, monkeypatch):
    figure = viz.show_grid(np.zeros((4, 8, 8, 3), np.uint8), columns=2, row_labels=["a", "b"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACGAN_REPORT_DIR", raising=False)
    viz.save_figure(figure, "grid")
    assert not list(tmp_path.rglob("*.png"))
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path / "report"))
    viz.save_figure(figure, "grid")
    assert (tmp_path / "report" / "figures" / "grid.png").stat().st_size > 0


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
