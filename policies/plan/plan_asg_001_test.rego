package gitops.plan.plan_asg_001

import data.gitops.plan.testing

test_seed_passes if {
	count(deny) == 0 with input as testing.seed
}

test_ec2_health_checks_denied if {
	some d in deny with input as testing.with_resource("asg", {"inputs": {"healthCheckType": "EC2"}})
	d.resource == "urn:asg"
	contains(d.msg, "EC2 health checks")
}

test_missing_health_check_type_means_ec2 if {
	some d in deny with input as testing.with_resource("asg2", {"urn": "urn:asg2", "type": "aws:autoscaling/group:Group", "name": "asg2", "inputs": {"targetGroupArns": ["x"], "healthCheckGracePeriod": 60}})
	contains(d.msg, "EC2 health checks")
}

test_no_target_group_denied if {
	some d in deny with input as testing.with_resource("asg", {"inputs": {"targetGroupArns": []}})
	contains(d.msg, "not attached to a target group")
}

test_no_grace_period_denied if {
	some d in deny with input as testing.with_resource("asg", {"inputs": {"healthCheckGracePeriod": 0}})
	contains(d.msg, "grace period")
}
