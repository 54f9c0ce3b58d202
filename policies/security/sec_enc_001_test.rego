package gitops.policies.sec_enc_001_test

import data.gitops.policies.sec_enc_001 as policy

import data.gitops.testing.fixtures

lb(listeners) := {"actions": [{"action": "create_load_balancer", "config": {"listeners": listeners}}]}

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
}

test_plain_http_denied if {
	ds := policy.deny with input as lb([{"protocol": "HTTP", "port": 80, "redirect_to_https": false}])
	some d in ds
	d.path == ["intent", "security", "protocol"]
	contains(d.msg, "plain HTTP")
}

test_tls12_only_denied if {
	ds := policy.deny with input as lb([{"protocol": "HTTPS", "port": 443, "ssl_policy": "ELBSecurityPolicy-TLS-1-2-2017-01", "tls_versions": ["TLSv1.2"]}])
	some d in ds
	d.path == ["intent", "security", "tls_policy"]
	contains(d.msg, "TLS 1.3 is not enabled")
}

test_outdated_protocol_denied if {
	ds := policy.deny with input as lb([{"protocol": "HTTPS", "port": 443, "tls_versions": ["TLSv1.1", "TLSv1.2", "TLSv1.3"]}])
	some d in ds
	contains(d.msg, "TLSv1.1")
}

test_http_without_redirect_next_to_https_denied if {
	count(policy.deny) == 1 with input as lb([
		{"protocol": "HTTPS", "port": 443, "tls_versions": ["TLSv1.3"]},
		{"protocol": "HTTP", "port": 80},
	])
}

test_https_with_redirect_passes if {
	count(policy.deny) == 0 with input as lb([
		{"protocol": "HTTPS", "port": 443, "tls_versions": ["TLSv1.2", "TLSv1.3"]},
		{"protocol": "HTTP", "port": 80, "redirect_to_https": true},
	])
}
