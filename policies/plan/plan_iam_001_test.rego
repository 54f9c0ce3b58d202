package gitops.plan.plan_iam_001

import data.gitops.plan.testing

test_seed_passes if {
	count(deny) == 0 with input as testing.seed
}

statement(s) := {"documents": {"policy": {"Statement": [s]}}}

test_wildcard_action_denied if {
	some d in deny with input as testing.with_resource("healer-policy", statement({"Effect": "Allow", "Action": "ssm:*", "Resource": "arn:doc"}))
	contains(d.msg, "wildcard action ssm:*")
}

test_unscoped_pass_role_denied if {
	some d in deny with input as testing.with_resource("healer-policy", statement({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*"}))
	contains(d.msg, "iam:PassRole")
}

test_scoped_pass_role_allowed if {
	count(deny) == 0 with input as testing.with_resource("healer-policy", statement({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "arn:aws:iam::1:role/x", "Condition": {"StringEquals": {"iam:PassedToService": "ssm.amazonaws.com"}}}))
}

test_instance_role_extra_policy_denied if {
	some d in deny with input as testing.with_resource("instance-admin", {"urn": "urn:ia2", "type": "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "name": "instance-admin", "inputs": {"role": "instance-role", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}})
	contains(d.msg, "AmazonSSMManagedInstanceCore only")
}

test_imds_v1_denied if {
	some d in deny with input as testing.with_resource("lt", {"inputs": {"metadataOptions": {"httpTokens": "optional"}}})
	contains(d.msg, "IMDSv1")
}
