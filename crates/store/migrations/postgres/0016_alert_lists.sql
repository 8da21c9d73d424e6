-- The alert list and its figures are computed by the database (issue 23): indexes for the
-- list's order (model, then as raised), the scopes that narrow it (a unit, a town) and the
-- day bounds of the list and the statistics.
CREATE INDEX alerts_by_model_id ON alerts(model, id);
CREATE INDEX alerts_by_responsible ON alerts(responsible, model, id);
CREATE INDEX alerts_by_town ON alerts(town, village);
CREATE INDEX alerts_by_raised ON alerts(raised_at);
