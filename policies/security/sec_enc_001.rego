# METADATA
# title: TLS 1.3 enabled
# description: >-
#   Load balancers serve HTTPS with a security policy that enables TLS 1.3
#   and nothing older than TLS 1.2, and plain HTTP only redirects to HTTPS.
# custom:
#   id: SEC-ENC-001
#   severity: deny
#   passed: TLS 1.3 enabled
package gitops.policies.sec_enc_001

load_balancers contains lb if {
	some lb in input.actions
	lb.action == "create_load_balancer"
}

https_listeners(lb) := [l | some l in lb.config.listeners; l.protocol == "HTTPS"]

outdated := {"SSLv3", "TLSv1", "TLSv1.1"}

deny contains {"msg": "the load balancer serves plain HTTP only: traffic is not encrypted (set security.protocol: https)", "path": ["intent", "security", "protocol"]} if {
	some lb in load_balancers
	count(https_listeners(lb)) == 0
}

deny contains {"msg": msg, "path": ["intent", "security", "tls_policy"]} if {
	some lb in load_balancers
	some l in https_listeners(lb)
	not "TLSv1.3" in l.tls_versions
	msg := sprintf("TLS 1.3 is not enabled on port %v (security policy %v allows %v)", [l.port, object.get(l, "ssl_policy", "unknown"), l.tls_versions])
}

deny contains {"msg": msg, "path": ["intent", "security", "tls_policy"]} if {
	some lb in load_balancers
	some l in https_listeners(lb)
	some v in l.tls_versions
	v in outdated
	msg := sprintf("outdated protocol %v is enabled on port %v", [v, l.port])
}

deny contains {"msg": msg, "path": ["intent", "security", "protocol"]} if {
	some lb in load_balancers
	count(https_listeners(lb)) > 0
	some l in lb.config.listeners
	l.protocol == "HTTP"
	not l.redirect_to_https
	msg := sprintf("HTTP listener on port %v serves content instead of redirecting to HTTPS", [l.port])
}
