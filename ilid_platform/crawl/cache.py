"""The resume cache: every response of the running crawl job, so that a crawl killed with
SIGKILL resumes without fetching its finished pages again, and the request fingerprint it is
keyed by."""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import zlib
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.response import response_from_dict


class RenderAwareFingerprinter:
    """Scrapy's fingerprint, kept apart for rendered fetches.

    In `auto` mode the browser re-fetches a url already fetched raw; in the resume cache the
    two are different documents and must not answer for each other.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAwareFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        fingerprint = self._default.fingerprint(request)
        if request.meta.get("playwright"):
            return hashlib.sha1(fingerprint + b"rendered").digest()
        return fingerprint


class ResumeCacheStorage:
    """Every response of the running job, so a crawl killed with SIGKILL resumes without
    fetching its finished pages again.

    One append-only log per job: each entry is a compressed pickle (HTML shrinks about fivefold
    at zlib's fastest level, and a big catalog's job holds every page) behind a header with its
    key, length and CRC, appended in a single write. A kill in the middle of a write leaves a
    torn last entry, which the next run's scan drops and cuts off before appending. Lookups go
    through an in-memory index of offsets, so a page costs one write and no file creation.
    (Scrapy's file storage writes seven files per entry, and an entry cut short reads back as a
    truncated page.)
    """

    HEADER = struct.Struct("<BII")  # key length, data length, CRC-32 of the data

    def __init__(self, settings: BaseSettings) -> None:
        self.path = Path(settings["HTTPCACHE_DIR"]) / "responses.log"
        self.index: dict[bytes, tuple[int, int]] = {}
        self.size = 0
        self.fd = -1

    def open_spider(self, spider: Spider) -> None:
        self.fingerprint = spider.crawler.request_fingerprinter.fingerprint
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self._scan()

    def _scan(self) -> None:
        """Index the complete entries of an earlier attempt and cut off a torn last one."""
        log = self.path.read_bytes()
        offset, header = 0, self.HEADER
        while offset + header.size <= len(log):
            key_size, data_size, crc = header.unpack_from(log, offset)
            start = offset + header.size + key_size
            end = start + data_size
            if end > len(log) or zlib.crc32(log[start:end]) != crc:
                break
            self.index[log[offset + header.size : start]] = (start, data_size)
            offset = end
        if offset < len(log):
            os.truncate(self.fd, offset)
        self.size = offset

    def close_spider(self, spider: Spider) -> None:
        """Nothing is buffered: every entry is complete on disk once stored."""
        os.close(self.fd)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        entry = self.index.get(self.fingerprint(request))
        if entry is None:
            return None
        start, size = entry
        data = os.pread(self.fd, size, start)
        return response_from_dict(pickle.loads(zlib.decompress(data)))  # this job's own log

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        key = self.fingerprint(request)
        pickled = pickle.dumps(response.to_dict(), protocol=pickle.HIGHEST_PROTOCOL)
        data = zlib.compress(pickled, 1)
        entry = memoryview(self.HEADER.pack(len(key), len(data), zlib.crc32(data)) + key + data)
        written = 0
        while written < len(entry):
            written += os.write(self.fd, entry[written:])
        self.index[key] = (self.size + self.HEADER.size + len(key), len(data))
        self.size += len(entry)
