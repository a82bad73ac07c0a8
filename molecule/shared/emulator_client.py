"""boto3 clients for a scenario's emulator (port and home from molecule.yml's env)."""

import os

import boto3


def client(service: str):
    home = os.environ["PLATFORM_EMULATOR_HOME"]
    return boto3.client(
        service,
        endpoint_url=f"https://127.0.0.1:{os.environ['PLATFORM_EMULATOR_PORT']}",
        verify=os.path.join(home, "ca.pem"),
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
