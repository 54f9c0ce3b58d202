# METADATA
# title: No privilege escalation through the IAM table
# description: >-
#   agents/iam-permissions.yaml decides what every holder of a permission may
#   do in AWS, without touching agents.yaml. An escalation-class action there
#   turns an agent into whoever it wants to be: IAM writes (create users or
#   access keys, attach or put policies, iam:PassRole), assuming roles,
#   reading secrets or parameters, using or re-granting KMS keys, and any
#   wildcard action (`*`, `iam:*`, `iam:Create*`). Each is denied at its line
#   whatever its resource or `wildcard_reason`. Any other widening of a row is
#   flagged for review (AGENT-IAM-002) and the file is a governance change.
# custom:
#   id: AGENT-IAM-003
#   severity: deny
#   passed: No agent permission maps to an escalation-class IAM action
package gitops.policies.agents_iam_003

# IAM calls that only read (lower-case prefixes of the action name after "iam:").
iam_read_prefixes := ["get", "list", "generate", "simulate"]

# Reading what protects everything else: secrets, parameters (SecureString), keys.
secret_reads := {
	"secretsmanager:getsecretvalue",
	"secretsmanager:batchgetsecretvalue",
	"ssm:getparameter",
	"ssm:getparameters",
	"ssm:getparametersbypath",
	"kms:decrypt",
	"kms:reencryptfrom",
	"kms:creategrant",
	"kms:putkeypolicy",
}

# Becoming another principal.
identity_switches := {
	"sts:assumerole",
	"sts:assumerolewithwebidentity",
	"sts:assumerolewithsaml",
	"sts:getfederationtoken",
}

iam_read(name) if {
	some p in iam_read_prefixes
	startswith(name, p)
}

# AWS action names are case-insensitive: compare in lower case.
escalation(action) := "a wildcard action grants every action it matches, including ones added later" if {
	contains(action, "*")
} else := "an IAM write lets the holder create credentials or grant itself any permission" if {
	a := lower(action)
	startswith(a, "iam:")
	not iam_read(substring(a, 4, -1))
} else := "reading secrets, parameters or keys exposes the credentials that guard everything else" if {
	lower(action) in secret_reads
} else := "assuming another principal escapes the agent's own permissions" if {
	lower(action) in identity_switches
} else := ""

deny contains {"msg": msg, "file": "agents/iam-permissions.yaml", "path": ["permissions", perm, "statements", i, "actions", j]} if {
	some perm, row in input.iam_table
	some i, statement in row.statements
	some j, action in statement.actions
	why := escalation(action)
	why != ""
	holders := [a.agent_id | some a in input.agents; perm in a.permissions]
	msg := sprintf("%v maps to %v on %v (statement %v): %v; held by %v. Escalation-class actions are never mapped to an agent permission", [perm, action, concat(", ", statement.resources), statement.sid, why, held_by(holders)])
}

held_by(holders) := concat(", ", holders) if count(holders) > 0
else := "no agent yet"
