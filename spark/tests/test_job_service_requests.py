"""The job service's request checks: token, JSON only, bounded bodies, the lake bucket's landing keys. No JVM."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import ThreadingHTTPServer

import pytest

from ledgerflow_spark.job_service import (
    MAX_BODY_BYTES,
    BadRequestError,
    RequestRejectedError,
    check_request,
    make_handler,
    other_lake_buckets,
    parse_merge_request,
    read_service_settings,
)
from ledgerflow_spark.jobs import JobQueue
from ledgerflow_spark.session import LOCAL_STACK_ENV_JSON

TOKEN = "test-job-service-token"
JSON_POST = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json", "content-length": "10"}


def rejection(method: str, path: str, headers: dict[str, str]) -> RequestRejectedError:
    with pytest.raises(RequestRejectedError) as raised:
        check_request(method, path, headers, TOKEN)
    return raised.value


def merge_request(**changes) -> bytes:
    request = {"source": "transactions", "bucket": "lake", "objects": [{"key": "landing/transactions/a.ndjson"}], "idempotencyKey": "k1"}
    return json.dumps({**request, **changes}).encode()


def test_answers_the_health_probe_without_a_token():
    check_request("GET", "/health", {}, TOKEN)


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
@pytest.mark.parametrize(("method", "path"), [("GET", "/jobs"), ("GET", "/idle"), ("POST", "/jobs"), ("POST", "/jobs/j1/retry")])
def test_refuses_any_other_request_without_the_token(method, path, authorization):
    headers = {name: value for name, value in JSON_POST.items() if name != "authorization"}
    if authorization is not None:
        headers["authorization"] = authorization

    refused = rejection(method, path, headers)

    assert (refused.status, refused.reason) == (HTTPStatus.UNAUTHORIZED, "unauthorized")


def test_takes_a_request_with_the_bearer_token():
    check_request("GET", "/jobs", {"authorization": f"bearer {TOKEN}"}, TOKEN)
    check_request("POST", "/jobs", JSON_POST, TOKEN)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/jsonp"])
def test_refuses_a_post_that_is_not_json_with_415(content_type):
    headers = {name: value for name, value in JSON_POST.items() if name != "content-type"}
    if content_type:
        headers["content-type"] = content_type

    refused = rejection("POST", "/jobs", headers)

    assert (refused.status, refused.reason) == (HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type")


def test_takes_json_with_a_charset():
    check_request("POST", "/jobs", {**JSON_POST, "content-type": "Application/JSON; charset=utf-8"}, TOKEN)


def test_refuses_a_body_over_the_limit_with_413_from_its_length():
    refused = rejection("POST", "/jobs", {**JSON_POST, "content-length": str(MAX_BODY_BYTES + 1)})

    assert (refused.status, refused.reason) == (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large")


def test_refuses_a_body_without_a_length_or_with_a_malformed_one():
    chunked = {name: value for name, value in JSON_POST.items() if name != "content-length"} | {"transfer-encoding": "chunked"}

    assert rejection("POST", "/jobs", chunked).status == HTTPStatus.LENGTH_REQUIRED
    assert rejection("POST", "/jobs", {**JSON_POST, "content-length": "-5"}).status == HTTPStatus.BAD_REQUEST


def test_takes_a_bucket_named_in_other_lake_buckets_and_no_other():
    other = other_lake_buckets({"OTHER_LAKE_BUCKETS": " bench-fresh , ,other "})
    assert other == frozenset({"bench-fresh", "other"})
    assert parse_merge_request(merge_request(bucket="bench-fresh"), "lake", other)["bucket"] == "bench-fresh"
    with pytest.raises(BadRequestError, match="bucket must be the lake bucket lake"):
        parse_merge_request(merge_request(bucket="not-listed"), "lake", other)
    assert other_lake_buckets({}) == frozenset()


def test_takes_landing_keys_of_the_lake_bucket():
    request = parse_merge_request(merge_request(), "lake")

    assert request == {"source": "transactions", "bucket": "lake", "keys": ["landing/transactions/a.ndjson"], "idempotency_key": "k1"}


@pytest.mark.parametrize("bucket", ["other-bucket", "", None, 7])
def test_refuses_a_job_for_another_bucket(bucket):
    with pytest.raises(BadRequestError, match="bucket must be the lake bucket lake"):
        parse_merge_request(merge_request(bucket=bucket), "lake")


@pytest.mark.parametrize("key", ["quarantine/transactions/a.ndjson", "landing/claims/a.ndjson", "tables/curated/transactions/part-0.parquet", "files/transactions/x.csv"])
def test_refuses_a_key_outside_the_sources_landing_prefix(key):
    with pytest.raises(BadRequestError, match="object keys must start with landing/transactions/"):
        parse_merge_request(merge_request(objects=[{"key": key}]), "lake")


def test_reads_token_and_bucket_from_the_environment_before_env_json():
    assert read_service_settings({"JOB_SERVICE_TOKEN": TOKEN, "LAKE_BUCKET": "my-lake"}) == (TOKEN, "my-lake")


def test_defaults_to_the_token_the_merge_trigger_gets_from_env_json():
    token, bucket = read_service_settings({})
    env_json = json.loads(LOCAL_STACK_ENV_JSON.read_text(encoding="utf-8"))

    assert token == env_json["MergeTriggerFunction"]["JOB_SERVICE_TOKEN"]
    assert bucket == env_json["ValidateFunction"]["LAKE_BUCKET"]


def test_stops_with_the_variable_name_when_the_token_is_too_short():
    with pytest.raises(SystemExit, match="JOB_SERVICE_TOKEN"):
        read_service_settings({"JOB_SERVICE_TOKEN": "short", "LAKE_BUCKET": "lake"})


@pytest.fixture
def job_service():
    """The service's HTTP handler over a queue that runs nothing, on a free loopback port."""
    queue = JobQueue(lambda *_: {}, workers=1, coalesce_seconds=0, start=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(queue, threading.Event(), token=TOKEN, lake_bucket="lake"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        queue.stop()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(f"{url}/jobs", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_service_answers_each_refusal_with_its_status_and_reason(job_service):
    authorized = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}

    assert post(job_service, merge_request(), {"content-type": "application/json"}) == (401, {"error": "unauthorized", "message": "send Authorization: Bearer <JOB_SERVICE_TOKEN>"})
    assert post(job_service, merge_request(), {**authorized, "content-type": "text/plain"})[0] == 415
    status, answer = post(job_service, merge_request(bucket="other"), authorized)
    assert (status, answer["error"]) == (400, "invalid-request")
    status, answer = post(job_service, merge_request(), authorized)
    assert status == 202 and answer["deduplicated"] is False
