"""FHIR OperationOutcome: how the exchange answers, good or bad.

Every problem names the resource (`Observation/<id>` where it has one) and the
element, as a FHIRPath expression from the Bundle root
(`Bundle.entry[3].resource.valueQuantity.unit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fhir.resources.R4B.operationoutcome import OperationOutcome


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"


# FHIR IssueType codes used here (http://hl7.org/fhir/R4B/valueset-issue-type.html).
INVALID = "invalid"
STRUCTURE = "structure"
REQUIRED = "required"
VALUE = "value"
CODE_INVALID = "code-invalid"
NOT_FOUND = "not-found"
NOT_SUPPORTED = "not-supported"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
FORBIDDEN = "forbidden"
LOGIN = "login"
INFORMATIONAL = "informational"


@dataclass
class Issue:
    code: str
    text: str
    expression: list[str] = field(default_factory=list)
    severity: Severity = Severity.ERROR
    resource: str = ""  # "Observation/abc", or "" when the Bundle itself is at fault

    def as_fhir(self) -> dict:
        text = f"{self.resource}: {self.text}" if self.resource else self.text
        issue = {"severity": str(self.severity), "code": self.code, "diagnostics": text}
        issue["details"] = {"text": text}
        if self.expression:
            issue["expression"] = self.expression
        return issue


def operation_outcome(issues: list[Issue]) -> dict:
    """A validated OperationOutcome as JSON-ready dict (at least one issue)."""
    if not issues:
        issues = [Issue(INFORMATIONAL, "All OK.", severity=Severity.INFORMATION)]
    body = {"resourceType": "OperationOutcome", "issue": [i.as_fhir() for i in issues]}
    return OperationOutcome.model_validate(body).model_dump(mode="json")


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == Severity.ERROR for i in issues)


def fhirpath(loc: tuple, root: str) -> str:
    """A pydantic error location as a FHIRPath-like expression."""
    path = root
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}"
    return path
