"""Write results/explorer/{dataset}/{model}.json: the first seed's decoder as plain layers and
weights for the explorer page (covae.explorer.export_decoder)."""

import json

from covae import explorer, inference, io, logs

log = logs.setup(snakemake.log[0])
decoder = inference.load_model(snakemake.input.decoder)
layers = explorer.export_decoder(decoder)
io.save_text(snakemake.output[0], json.dumps(layers, separators=(",", ":")) + "\n")
log.info("exported %d layers (%d weights) of %s", len(layers), decoder.count_params(),
         snakemake.input.decoder)  # fmt: skip
