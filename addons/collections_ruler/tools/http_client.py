"""What every client of an outside service needs around ``requests``, written once.

The API Pix client (``collections_pix.tools.api_pix``), the WhatsApp gateways
(``whatsapp``) and the bank clients to come share these: a timeout on every call,
no redirects (they would replay credentials or turn a POST into a GET), retries
with exponential backoff that honour ``Retry-After``, and error texts that name the
host only (paths and queries can carry keys) with any echoed secret masked.

Standard library plus ``requests`` only, so it runs (and is tested) without Odoo.
"""

import ipaddress
import logging
import time
from urllib.parse import urlsplit

import requests

_logger = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost"})


class TransportError(Exception):
    """No usable answer from a service.

    ``kind`` is "timeout", "network" (refused, reset, DNS...), "tls" (a configuration
    problem: never retried) or "other"; ``reason`` is the short explanation (the
    operating system's words, or the TLS alert); ``attempts`` counts the HTTP attempts.
    """

    def __init__(self, kind, reason, url, attempts):
        self.kind = kind
        self.reason = reason
        self.host = host(url)
        self.attempts = attempts
        super().__init__(f"{kind}: {reason} ({self.host}, {attempts} attempts)")


def check_timeout(timeout):
    """Seconds or a (connect, read) pair, all positive; returns it. None would let a stuck service
    block an Odoo worker forever. Raises ValueError."""
    values = timeout if isinstance(timeout, tuple) and len(timeout) == 2 else (timeout,)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        raise ValueError("The timeout must be a positive number of seconds or a (connect, read) pair.")
    return timeout


def is_loopback(hostname):
    if hostname in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def host(url):
    """Host and port only, for messages: a path can carry a txid or a key, a query an instance token."""
    parts = urlsplit(url)
    name = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{name}:{parts.port}" if parts.port else name


def seconds(timeout):
    """A timeout as people read it in a message."""
    return f"{timeout[1]} s (read) / {timeout[0]} s (connect)" if isinstance(timeout, tuple) else f"{timeout} s"


def json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def one_line(text):
    return " ".join(str(text).split()) if text else ""


def mask(text, secrets, limit):
    """A service's text on one line, any echoed secret replaced by ***, cut to ``limit`` characters."""
    text = one_line(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text if len(text) <= limit else text[:limit] + "…"


def exception_chain(exc):
    """``exc`` and what caused it, breadth first: urllib3 buries the useful part deep inside."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(
            [getattr(current, "reason", None), current.__cause__, current.__context__]
            + [arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)]
        )


def network_reason(exc):
    """The operating system's words ("Connection refused") from inside requests' exceptions."""
    for current in exception_chain(exc):
        if isinstance(current, OSError) and isinstance(current.strerror, str) and current.strerror:
            return current.strerror
    return type(exc).__name__


TLS_ALERTS = {
    "CERTIFICATE_REQUIRED": "the server requires a client certificate (mutual TLS) and none was sent",
    "UNKNOWN_CA": "the server does not accept this client certificate's issuer",
    "BAD_CERTIFICATE": "the server refused the client certificate",
    "CERTIFICATE_EXPIRED": "a certificate has expired",
}


def tls_reason(exc):
    for current in exception_chain(exc):
        message = getattr(current, "verify_message", None) or getattr(current, "reason", None)
        if isinstance(message, str) and message:
            for alert, explanation in TLS_ALERTS.items():
                if message.upper().endswith(alert):
                    return f"{explanation} ({message})"
            return message
    return network_reason(exc)


def retryable_status(status):
    """Throttling and server errors: worth another attempt later."""
    return status == 429 or status >= 500


def retry_wait(response, attempt, backoff, max_retry_after):
    """Seconds to wait before attempt ``attempt + 1``: the 429/503 ``Retry-After`` in seconds (capped),
    else ``backoff * 2**(attempt - 1)``."""
    if response is not None and response.status_code in (429, 503):
        header = (response.headers.get("Retry-After") or "").strip()
        try:
            wait = float(header)
        except ValueError:
            wait = None  # absent, or an HTTP date: fall back to the backoff
        if wait is not None and wait == wait:  # not NaN
            return min(max(wait, 0.0), max_retry_after)
    return backoff * 2 ** (attempt - 1)


def send(
    session,
    method,
    url,
    *,
    timeout,
    max_retries=0,
    backoff=0.5,
    max_retry_after=60,
    sleep=time.sleep,
    label="HTTP",
    **kwargs,
):
    """One call with retries; returns ``(response, attempts)`` or raises TransportError.

    Retried up to ``max_retries`` more times: timeouts, network errors, 429 and 5xx
    (the last such answer is returned once the retries are spent). TLS failures are
    configuration problems and are raised at once. Redirects are never followed.
    """
    path = urlsplit(url).path
    attempt = 0
    while True:
        attempt += 1
        try:
            response = session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise TransportError("tls", tls_reason(exc), url, attempt) from None
        except requests.Timeout:
            kind, reason = "timeout", f"no answer within {seconds(timeout)}"
        except requests.ConnectionError as exc:
            kind, reason = "network", network_reason(exc)
        except requests.RequestException as exc:
            # str(exc) may quote the URL and headers: name the type only.
            raise TransportError("other", type(exc).__name__, url, attempt) from None
        else:
            if not retryable_status(response.status_code) or attempt > max_retries:
                return response, attempt
            wait = retry_wait(response, attempt, backoff, max_retry_after)
            _logger.warning(
                "%s %s %s answered HTTP %s; retry %d of %d in %.1f s",
                label,
                method,
                path,
                response.status_code,
                attempt,
                max_retries,
                wait,
            )
            response.close()
            sleep(wait)
            continue
        if attempt > max_retries:
            raise TransportError(kind, reason, url, attempt)
        wait = backoff * 2 ** (attempt - 1)
        _logger.warning(
            "%s %s %s: %s; retry %d of %d in %.1f s", label, method, path, reason, attempt, max_retries, wait
        )
        sleep(wait)
