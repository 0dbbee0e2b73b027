"""The Python SDK's REST calls as they look on the wire (its headers), shared by the replay scripts."""
import requests


def sdk_caller(base, token):
    """Returns call(method, path, body=None, params=None) -> the response's JSON, raising on HTTP errors."""
    session = requests.Session()
    session.headers.update({
        "Authorization": f"Bearer {token}",
        "User-Agent": "globus-sdk-py-4.9.0/globus-compute-sdk-4.15.0",
        "X-Globus-Client-Info": "product=python-sdk,version=4.9.0",
        "Accept": "application/json",
    })

    def call(method, path, body=None, params=None):
        r = session.request(method, base + path, json=body, params=params, timeout=60)
        r.raise_for_status()
        return r.json()

    return call
