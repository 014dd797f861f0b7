from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

PASSWORD = "a long test passphrase"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The device's code for the current time step, or `offset` steps away."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{value:0{device.digits}d}"


def actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def sign_in(client, email, password=PASSWORD, next=None, **extra):
    data = {"username": email, "password": password}
    if next is not None:
        data["next"] = next
    return client.post("/accounts/login/", data, **extra)
