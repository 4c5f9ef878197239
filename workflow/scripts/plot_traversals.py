"""Draw figures/{hull,plane,gap}_traversal_{dataset}_{model}.png and trajectories_...: each
derived path on the latent cloud and its decoded images (first seed)."""

from covae import draw_latent, io, logs, names

log = logs.setup(snakemake.log[0])
wildcards = snakemake.wildcards
data = io.load_arrays(snakemake.input.data)
codes = io.load_arrays(snakemake.input.latents)["z_mean"]
paths = io.load_arrays(snakemake.input.paths)
var_x, var_y, cor, _ = data["factors"].T
name = names.label(wildcards.dataset, wildcards.model)
figures = {
    "hull": (cor, "cor", {"hull spline": "hull", "just outside the hull": "near_hull"},
             f"{name}: spline along the hull of the isovariance strip (its widest axis)"),
    "plane": (var_y, "var_y", {"upper plane": "plane_upper", "lower plane": "plane_lower"},
              f"{name}: paths on the planes bounding the cloud, along their widest axis"),
    "gap": (cor, "cor", {"gap": "gap"}, f"{name}: a line through the largest empty region"),
    "trajectories": (cor, "cor", {"extreme cor": "correlation_line",
                                  "var_x into var_y": "variance_line", "rotation": "rotation"},
                     f"{name}: extreme-cor line, var_x-into-var_y line and rotation"),
}  # fmt: skip
for kind in figures:
    colour, label, shown, title = figures[kind]
    output = getattr(snakemake.output, kind)
    drawn = {
        legend: (paths[f"{key}_codes"], paths[f"{key}_images"])
        for legend, key in shown.items()
        if f"{key}_codes" in paths
    }
    if not drawn:  # codes of more than three axes have no 3-D traversals
        title = f"{name}: no {kind} traversal (defined for 3-D codes)"
    # The hull spline beside the bin points it was fitted to.
    knots = {"hull bins": paths["hull_bins"]} if kind == "hull" and "hull_bins" in paths else {}
    fig = draw_latent.traversal(
        codes, colour, label, drawn, title=title, insets=kind == "trajectories", points=knots
    )
    io.save_figure(fig, output, dpi=snakemake.params.figure["dpi"])
    log.info("drew %s to %s", sorted(drawn), output)
