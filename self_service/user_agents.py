"""What a signed-in device is, in words, from the User-Agent its login sent (ua-parser).

Browser and system names are product names and stay as they are ("Firefox 121 · Windows",
"Safari 17 · iPhone"); what is not a name (an API client without a User-Agent, an unknown browser,
the kind of device) is translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from ua_parser import parse

# ua-parser's names for the mobile builds of a browser: a resident knows them by the browser's name.
BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
}
SYSTEM_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
NAMED_DEVICES = {"iPhone", "iPad", "iPod"}
DESKTOP_SYSTEMS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Chrome OS", "FreeBSD", "Debian"}

DEVICE_TYPES = {
    "desktop": _("Computer"),
    "mobile": _("Phone"),
    "tablet": _("Tablet"),
    "api": _("API client"),
    "other": _("Other device"),
}


@dataclass(frozen=True)
class DeviceDescription:
    browser: str  # "Firefox 121"; empty for an API client
    system: str  # "Windows", "iPhone"; empty when unknown
    device_type: str  # a key of DEVICE_TYPES

    @property
    def label(self) -> str:
        """One line for the list: "Firefox 121 · Windows", "API client"."""
        if self.device_type == "api":
            return str(DEVICE_TYPES["api"])
        browser = self.browser or str(_("Unknown browser"))
        return f"{browser} · {self.system}" if self.system else browser

    @property
    def device_type_label(self) -> str:
        return str(DEVICE_TYPES[self.device_type])


def _device_type(user_agent: str, system: str, device_family: str, device_brand: str) -> str:
    if device_family == "iPad" or "Tablet" in device_brand:
        return "tablet"
    if system == "Android":
        return "mobile" if "Mobile" in user_agent else "tablet"
    if system == "iOS" or "Mobile" in user_agent:
        return "mobile"
    if system in DESKTOP_SYSTEMS:
        return "desktop"
    return "other"


@lru_cache(maxsize=512)
def describe_user_agent(user_agent: str) -> DeviceDescription:
    """The browser, system and kind of device behind a User-Agent header ("" = an API client)."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return DeviceDescription(browser="", system="", device_type="api")
    result = parse(user_agent)
    browser = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        name = BROWSER_NAMES.get(result.user_agent.family, result.user_agent.family)
        browser = f"{name} {result.user_agent.major}" if result.user_agent.major else name
    system = result.os.family if result.os is not None and result.os.family != "Other" else ""
    device_family = result.device.family if result.device is not None else ""
    device_brand = (result.device.brand or "") if result.device is not None else ""
    kind = _device_type(user_agent, system, device_family, device_brand)
    shown = device_family if device_family in NAMED_DEVICES else SYSTEM_NAMES.get(system, system)
    return DeviceDescription(browser=browser, system=shown, device_type=kind)
