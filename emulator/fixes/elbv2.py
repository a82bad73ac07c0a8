"""ELBv2: the attributes an Application Load Balancer reports."""

from typing import Any

# Application Load Balancer attributes and their documented defaults
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes,
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html).
APPLICATION_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "client_keep_alive.seconds": "3600",
    "idle_timeout.timeout_seconds": "60",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
}


def application_load_balancer_reports_its_default_attributes() -> None:
    """DescribeLoadBalancerAttributes of an ALB returns its attributes with their defaults.

    AWS: an Application Load Balancer has the attributes idle_timeout.timeout_seconds
    ("The default is 60 seconds"), routing.http2.enabled (default true),
    routing.http.drop_invalid_header_fields.enabled (default false),
    routing.http.desync_mitigation_mode (default defensive), ... and
    DescribeLoadBalancerAttributes returns them
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes).
    moto 5.2.5 (FakeLoadBalancer.__init__) starts every load balancer with five attributes
    only ("idle_timeout.timeout_seconds" is commented out), so a client that compares the
    idle timeout or an HTTP routing attribute with what AWS returns finds no value
    (amazon.aws.elb_application_lb fails with KeyError 'idle_timeout_timeout_seconds').
    The fix gives an application load balancer the documented defaults of the attributes
    it does not have yet; a value the client set is kept.
    """
    from moto.elbv2.models import FakeLoadBalancer

    original = FakeLoadBalancer.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.type == "application":
            for key, value in APPLICATION_DEFAULTS.items():
                self.attrs.setdefault(key, value)

    FakeLoadBalancer.__init__ = __init__


FIXES = [application_load_balancer_reports_its_default_attributes]
