"""Pictures of the event log: plotly charts (:mod:`sim.viz.charts`) and the HTML report (:mod:`sim.viz.report`)."""
