package gitops.plan.plan_tls_001

import data.gitops.plan.testing

test_seed_passes if {
	count(deny) == 0 with input as testing.seed
}

test_tls12_policy_denied if {
	some d in deny with input as testing.with_resource("https", {"inputs": {"sslPolicy": "ELBSecurityPolicy-TLS-1-2-2017-01"}})
	contains(d.msg, "does not enable TLS 1.3")
}

test_default_policy_denied if {
	count(deny) == 1 with input as testing.with_resource("https", {"inputs": {"sslPolicy": null}})
}

test_plain_http_forward_denied if {
	some d in deny with input as testing.with_resource("http", {"inputs": {"defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]}})
	contains(d.msg, "unencrypted")
}
