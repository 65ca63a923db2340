"""The test receiver keeps the contract of docs/sync.md, over real HTTP."""

from __future__ import annotations

import http.client
import json

from lamsach.sync import body_of, digest_header


def line(record_id: str, version: int = 1, **fields) -> str:
    return json.dumps({"campaign": "c", "dataset": "population", "record_id": record_id, "version": version,
                       "unit": "16012", "fields": {"full_name": "Lê Thị Hoa", **fields}}, ensure_ascii=False)


def post(url: str, key: str | None, body: bytes, digest: str | None = None, token: str | None = None):
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": "application/x-ndjson", "Content-Length": str(len(body))}
    if key is not None:
        headers["Idempotency-Key"] = key
    if digest is not False:
        headers["Content-Digest"] = digest or digest_header(body)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("POST", "/v1/batches", body=body, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_a_batch_delivered_twice_is_accepted_once(receiver):
    r = receiver()
    body = body_of([line("A1"), line("A2")])
    status, first = post(r.url, "batch-0001", body)
    assert (status, first["accepted"], first["duplicate"]) == (200, 2, False)
    status, again = post(r.url, "batch-0001", body)
    assert status == 200 and again["duplicate"] is True and again["sequence"] == first["sequence"]
    assert [x["record_id"] for x in r.lines()] == ["A1", "A2"]


def test_a_body_altered_in_transit_is_refused(receiver):
    r = receiver()
    body = body_of([line("A1")])
    altered = body.replace(b"Hoa", b"Hoe")
    status, answer = post(r.url, "batch-0002", altered, digest_header(body))
    assert (status, answer["code"]) == (400, "checksum_mismatch")
    status, answer = post(r.url, "batch-0002", body, False)
    assert (status, answer["code"]) == (400, "missing_digest")
    assert r.lines() == []
    # the same key with the right body is accepted afterwards; another body under it is a conflict
    assert post(r.url, "batch-0002", body)[0] == 200
    status, answer = post(r.url, "batch-0002", altered)
    assert (status, answer["code"]) == (409, "key_conflict")


def test_malformed_or_out_of_order_versions_are_rejected_with_a_reason(receiver):
    r = receiver("--reject-record", "BAD1", "--require-field", "full_name")
    lines = [line("A1", 2), "{not json", json.dumps({"dataset": "population", "record_id": "X"}),
             line("A1", 1), line("BAD1"), line("B1", full_name=""), line("B2")]
    status, ack = post(r.url, "batch-0003", body_of(lines))
    assert status == 200 and ack["accepted"] == 2
    reasons = {x["line"]: x["reason"] for x in ack["rejected"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6]
    assert reasons[2] == "not valid JSON" and "missing campaign" in reasons[3]
    assert "not newer" in reasons[4] and "on purpose" in reasons[5] and "full_name" in reasons[6]
    assert [(x["record_id"], x["version"]) for x in r.lines()] == [("A1", 2), ("B2", 1)]


def test_a_token_is_required_when_set_and_the_receiver_remembers_after_a_restart(receiver, tmp_path):
    r = receiver("--token", "s3cret")
    body = body_of([line("A1")])
    status, answer = post(r.url, "batch-0004", body)
    assert (status, answer["code"]) == (401, "unauthorized")
    assert post(r.url, "batch-0004", body, token="s3cret")[0] == 200
    r.stop()
    (tmp_path / "received" / "accepted" / "00000009-half-a-batch.jsonl").write_text(line("Z9") + "\n")
    again = receiver("--token", "s3cret", port=r.port)
    status, ack = post(again.url, "batch-0004", body, token="s3cret")
    assert status == 200 and ack["duplicate"] is True
    # a batch file without its acknowledgement was never accepted: forgotten at the start
    assert [x["record_id"] for x in again.lines()] == ["A1"]
