"""The log filter that keeps passport numbers and named values out of log lines."""
import logging

import pytest

from bot.logs import PASSPORT_MASK, VALUE_MASK, PiiMaskingFilter, install_pii_filter


@pytest.fixture
def captured():
    logger = logging.getLogger("tests.pii")
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, records
    logger.removeHandler(handler)
    logger.filters.clear()


@pytest.mark.parametrize("text", ["E12345634", "C01X00T47", "123456789", "g12345678", "EA1234567"])
def test_passport_like_tokens_are_masked(text):
    assert PiiMaskingFilter().mask(f"verifying {text} now") == f"verifying {PASSPORT_MASK} now"


@pytest.mark.parametrize("text", ["case EZ2026-0042", "on 2026-11-22 at 10:15:03", "port 8000", "200 OK",
                                  "POST /api/cases HTTP/1.1", "3 created, 12 updated", "work_permit"])
def test_ordinary_log_words_stay_readable(text):
    assert PiiMaskingFilter().mask(text) == text


def test_values_given_to_the_filter_are_masked_in_any_case(captured):
    logger, records = captured
    pii = PiiMaskingFilter(values=["Lena Hoffmann"])
    pii.add_values(["Hoffmann"])
    logger.addFilter(pii)
    logger.info("imported %s with passport %s", "LENA HOFFMANN", "E12345634")
    logger.info("name %s", "hoffmann")
    assert records == [f"imported {VALUE_MASK} with passport {PASSPORT_MASK}", f"name {VALUE_MASK}"]


def test_values_passed_with_a_record_are_masked(captured):
    logger, records = captured
    logger.addFilter(PiiMaskingFilter())
    logger.info("checked %s", "Wang Xiaoming", extra={"pii": ["Wang Xiaoming"]})
    assert records == [f"checked {VALUE_MASK}"]


def test_tracebacks_are_masked_too(captured):
    logger, records = captured
    logger.addFilter(PiiMaskingFilter())
    try:
        raise ValueError("bad passport E12345634")
    except ValueError:
        logger.exception("failed")
    assert "E12345634" not in records[0] and PASSPORT_MASK in records[0]


def test_install_adds_one_filter_per_logger():
    names = ("tests.pii.installed",)
    install_pii_filter(names)
    install_pii_filter(names)
    logger = logging.getLogger(names[0])
    assert sum(isinstance(f, PiiMaskingFilter) for f in logger.filters) == 1
    logger.filters.clear()


def test_uvicorn_access_records_keep_their_argument_tuple():
    import logging

    from bot.logs import PiiMaskingFilter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", "/x/E12345634", "1.1", 200), None)
    assert PiiMaskingFilter().filter(record)
    client, method, path, version, status = record.args  # what uvicorn's formatter does
    assert path == "/x/[passport]" and status == 200
    assert "E12345634" not in record.getMessage()
