package gitops.policies.agents_iam_003_test

import data.gitops.policies.agents_iam_003 as policy

row(actions, resources) := {"scope": "aws", "statements": [{"sid": "S", "actions": actions, "resources": resources}]}

agents := [{"agent_id": "monitoring-agent-001", "permissions": ["write:health_status"]}]

test_named_least_privilege_actions_pass if {
	count(policy.deny) == 0 with input as {"agents": agents, "iam_table": {"write:health_status": row(["autoscaling:SetInstanceHealth", "iam:GetRole", "iam:ListRoles"], ["asg"])}}
}

test_widened_statement_denied_once_per_escalation_action if {
	actions := ["autoscaling:SetInstanceHealth", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:CreateUser", "secretsmanager:GetSecretValue", "kms:Decrypt"]
	ds := policy.deny with input as {"agents": agents, "iam_table": {"write:health_status": row(actions, ["*"])}}
	count(ds) == 5
	paths := {d.path | some d in ds}
	paths == {["permissions", "write:health_status", "statements", 0, "actions", j] | some j in numbers.range(1, 5)}
	every d in ds {
		d.file == "agents/iam-permissions.yaml"
		contains(d.msg, "held by monitoring-agent-001")
	}
}

test_pass_role_on_any_resource_denied if {
	ds := policy.deny with input as {"agents": agents, "iam_table": {"write:health_status": row(["iam:PassRole"], ["*"])}}
	some d in ds
	contains(d.msg, "iam:PassRole on *")
	contains(d.msg, "IAM write")
}

test_wildcards_denied_whatever_the_service if {
	ds := policy.deny with input as {"agents": agents, "iam_table": {"write:health_status": row(["*", "iam:*", "ec2:Describe*"], ["asg"])}}
	count(ds) == 3
	every d in ds {
		contains(d.msg, "wildcard action")
	}
}

test_case_insensitive_and_identity_switches if {
	ds := policy.deny with input as {"agents": agents, "iam_table": {"write:health_status": row(["IAM:createuser", "sts:AssumeRole"], ["asg"])}}
	count(ds) == 2
}

test_unheld_permission_still_denied if {
	ds := policy.deny with input as {"agents": agents, "iam_table": {"read:secrets": row(["secretsmanager:GetSecretValue"], ["*"])}}
	some d in ds
	contains(d.msg, "held by no agent yet")
}

test_no_table_no_findings if {
	count(policy.deny) == 0 with input as {"agents": agents}
}
