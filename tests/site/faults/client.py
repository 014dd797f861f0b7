"""A small HTTP client for a live site: keeps its own cookies and sends the CSRF token.

The site runs in production mode, so its cookies are Secure `__Host-` ones that a standard
cookie jar would never send over plain HTTP; this client keeps them itself, as a browser
behind the TLS proxy would. A timeout is the hang detector: a request that takes longer
fails the test as a hang.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CSRF_COOKIE = "__Host-csrftoken"
SESSION_COOKIE = "__Host-sessionid"
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Hang(AssertionError):
    """The site did not answer within the client's timeout."""


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str
    url: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def __contains__(self, words: str) -> bool:
        return words in self.text


@dataclass
class Browser:
    base: str  # http://127.0.0.1:PORT
    timeout: float = 5.0
    cookies: dict[str, str] = field(default_factory=dict)
    form_token: str = ""
    email: str = ""  # the person signed in, when the stack signed them up

    @property
    def signed_in(self) -> bool:
        return SESSION_COOKIE in self.cookies

    def get(self, path: str, *, follow: bool = True, timeout: float | None = None) -> Page:
        return self.request("GET", path, follow=follow, timeout=timeout)

    def post(
        self, path: str, data: dict[str, str] | None = None, *, follow: bool = True,
        timeout: float | None = None,
    ) -> Page:  # fmt: skip
        """POST a form with the CSRF token: the cookie's secret, which Django accepts as the
        token, or the last form's hidden field."""
        token = self.cookies.get(CSRF_COOKIE) or self.form_token
        body = {"csrfmiddlewaretoken": token, **(data or {})}
        return self.request("POST", path, body, follow=follow, timeout=timeout)

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None, *,
        follow: bool = True, timeout: float | None = None,
    ) -> Page:  # fmt: skip
        page = self._send(method, path, data, timeout)
        for _ in range(10):
            if not (follow and page.status in (301, 302, 303) and page.location):
                break
            page = self._send("GET", page.location, None, timeout)
        return page

    def _send(
        self, method: str, path: str, data: dict[str, str] | None, timeout: float | None
    ) -> Page:
        url = urllib.parse.urljoin(self.base + "/", path)
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        wait = self.timeout if timeout is None else timeout
        connection = http.client.HTTPConnection(parts.netloc, timeout=wait)
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except TimeoutError as error:
            raise Hang(f"{method} {target} got no answer within {wait:g} s") from error
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        if match := _CSRF_FIELD.search(text):
            self.form_token = match[1]
        return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, text, target)

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or not morsel.value or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
