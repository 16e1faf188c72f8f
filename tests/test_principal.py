"""Tests of the principal-components view (em_viz.figures.principal): the projected
points, means and ellipses against scikit-learn's PCA of the scaled data, read back
through the figure's JSON as the browser gets it."""

import json

import numpy as np
from plotly_json import figure_data
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from test_pairs import K, quadratic_form, split_curves

from em_viz import GaussianMixtureEM
from em_viz.data import wine
from em_viz.figures.principal import figure_principal


def test_projected_ellipses_and_means_equal_a_sigma_a_transposed():
    dataset = wine()
    em = GaussianMixtureEM(dataset.X, K, random_state=0)
    em.run()
    params = em.params
    figure = figure_principal(dataset.X, params, em.responsibilities)
    data = figure_data(figure)
    scaler = StandardScaler().fit(dataset.X)
    pca = PCA(n_components=2).fit(scaler.transform(dataset.X))
    (points,) = [t for t in data if t.get("name") == "Data points"]
    shown = np.column_stack([points["x"], points["y"]])
    reference = pca.transform(scaler.transform(dataset.X))
    signs = np.sign(np.sum(shown * reference, axis=0))
    np.testing.assert_allclose(shown, reference * signs, atol=1e-9)
    A = signs[:, None] * pca.components_ / scaler.scale_
    checked = 0
    for trace in data:
        name = str(trace.get("name", ""))
        if not name.startswith("Component "):
            continue
        k = int(name.split()[1]) - 1
        mean = A @ (params.means[k] - scaler.mean_)
        cov = A @ params.covariances[k] @ A.T
        if trace["mode"] == "lines":
            curves = split_curves(trace["x"], trace["y"])
            radii = [1.0] if len(curves) == 1 else [2.0, 3.0]
            for curve, radius in zip(curves, radii, strict=True):
                np.testing.assert_allclose(quadratic_form(curve, mean, cov), radius**2, rtol=1e-8)
                checked += 1
        else:
            np.testing.assert_allclose([trace["x"][0], trace["y"][0]], mean, atol=1e-9)
    assert checked == 3 * K
    layout = json.loads(figure.to_json())["layout"]
    for name, share in zip(("xaxis", "yaxis"), pca.explained_variance_ratio_, strict=True):
        assert f"({100 * share:.0f}% of the variance)" in layout[name]["title"]["text"]
