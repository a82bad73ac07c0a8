# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: eks_token
short_description: A bearer token for an EKS cluster's Kubernetes API, without the AWS CLI
description:
  - Returns the token C(aws eks get-token) would print, for each cluster name given
    C(k8s-aws-v1.) followed by the unpadded base64url encoding of a presigned STS
    C(GetCallerIdentity) URL that carries the signed header C(x-k8s-aws-id) set to the
    cluster name and expires after 60 seconds.
  - Only botocore is used; credentials, region and endpoint come from the usual botocore
    sources (environment, profile, instance role), so C(AWS_ENDPOINT_URL_STS) or
    C(AWS_ENDPOINT_URL) point it elsewhere.
  - The cluster's API server (aws-iam-authenticator) calls the URL to learn who the caller
    is; the token is valid for 15 minutes from signing whatever the URL expiry says, so ask
    for a fresh one per play.
options:
  _terms:
    description: Names of the EKS clusters.
    required: true
  region:
    description: AWS region of the STS endpoint (the cluster's region). Defaults to botocore's region.
    type: str
  profile:
    description: Named AWS profile.
    type: str
"""

EXAMPLES = r"""
- name: Create a namespace on the cluster the eks role made
  kubernetes.core.k8s:
    host: "{{ eks_outputs.endpoint }}"
    ca_cert: "{{ ca_file.path }}"  # eks_outputs.certificate_authority, base64-decoded into a file
    api_key: "{{ lookup('eks_token', eks_outputs.cluster_name) }}"
    definition:
      apiVersion: v1
      kind: Namespace
      metadata:
        name: orders
"""

RETURN = r"""
_raw:
  description: One token per cluster name, C(k8s-aws-v1.<base64url of the presigned URL>).
  type: list
  elements: str
"""

import base64

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

try:
    import botocore.session
    from botocore.model import ServiceId
    from botocore.signers import RequestSigner
except ImportError:  # reported when the lookup runs
    botocore = None

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_ID_HEADER = "x-k8s-aws-id"
URL_EXPIRES = 60


def presigned_url(session, cluster_name, region=None):
    """The presigned STS GetCallerIdentity URL with the signed x-k8s-aws-id header."""
    client = session.create_client("sts", region_name=region or session.get_config_variable("region") or "us-east-1")
    service_id = ServiceId(client.meta.service_model.service_id)
    signer = RequestSigner(service_id, client.meta.region_name, "sts", "v4",
                           session.get_credentials(), session.get_component("event_emitter"))
    request = {
        "method": "GET",
        "url": f"{client.meta.endpoint_url.rstrip('/')}/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": {},
        "headers": {CLUSTER_ID_HEADER: cluster_name},
        "context": {},
    }
    return signer.generate_presigned_url(request, region_name=client.meta.region_name,
                                         expires_in=URL_EXPIRES, operation_name="")


def token_from_url(url):
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def eks_token(cluster_name, region=None, profile=None, session=None):
    if session is None:
        session = botocore.session.Session(profile=profile)
    if session.get_credentials() is None:
        raise AnsibleError("eks_token: no AWS credentials found")
    return token_from_url(presigned_url(session, cluster_name, region))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if botocore is None:
            raise AnsibleError("eks_token: the lookup needs botocore")
        self.set_options(var_options=variables, direct=kwargs)
        names = [str(term) for term in terms]
        if not names or not all(names):
            raise AnsibleError("eks_token: give the cluster name")
        return [eks_token(name, self.get_option("region"), self.get_option("profile")) for name in names]
