"""A small fake Kubernetes API server (kmock) for the k8s_workloads role's tests."""

from fake_k8s_api.launcher import FakeApi, start, status, stop

__all__ = ["FakeApi", "start", "status", "stop"]
