package gitops.plan.plan_trig_001

import data.gitops.plan.testing

test_seed_passes if {
	count(deny) == 0 with input as testing.seed
}

test_missing_alarm_denied if {
	some d in deny with input as testing.without("latency")
	contains(d.msg, "latency_p95 > 200ms")
	contains(d.msg, "no CloudWatch alarm")
}

test_alarm_without_scaling_action_denied if {
	some d in deny with input as testing.with_resource("latency", {"inputs": {"alarmActions": ["arn:somewhere-else"]}})
	d.resource == "urn:latency"
}

test_restart_without_event_target_denied if {
	some d in deny with input as testing.without("target")
	contains(d.msg, "not wired to a restart")
}

test_restart_instance_needs_elb_health_checks if {
	some d in deny with input as testing.with_resource("asg", {"inputs": {"healthCheckType": "EC2"}})
	contains(d.msg, "restart_instance")
}
