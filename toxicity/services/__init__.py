"""Every write to visits, observations and recommendations, along the pipeline.

Each module is one step; callers import the step they use (nothing is
re-exported here):

* `visits`: a nurse or oncologist records, corrects or previews a visit. The
  whole visit is validated once by the rule engine's own validation (the
  evaluation contract) before anything is written; grades are computed, never
  typed; Visit + Observations are saved in one transaction; the evaluation is
  queued after commit and nothing depends on the broker being up.
* `request`: the one translator from stored rows (course, ledger, observations)
  to the engine's request.
* `evaluation`: the visit against the label rules, with the dose state read
  from the ledger as of the visit. Idempotent: the visit row is locked and
  marked evaluated in the same transaction that stores the recommendation, and
  recommendations are unique per (visit, revision, governing rule). Alerts
  about the evaluation are raised after commit (toxicity.alerts).
* `decisions`: an oncologist approves, approves with another ladder dose, or
  rejects, signing by re-entering the password. Exactly one of two concurrent
  deciders wins. Approval appends to the dose ledger through `ledger`.
* `ledger`: a dose change as toxicity sees it: written by
  patients.services.apply_dose_change, and a course that ends closes its
  pending recommendations.
* `corrections`: a signed correction of a signed decision's reason.
* `signatures`: the canonical bytes each signature covers.
* `due_checks`: monitoring checks that fall due and become overdue.

What produces a Recommendation: an answer that would change the ledger
(withhold while taking the drug, resume, reduce, discontinue) or that the engine
flags for review. A plain `continue`, or "stay on hold" for the terms already
holding the drug, is kept on the visit (`Visit.evaluation`) and produces none.
"""
