"""`herstel organisation letterhead ORG`: set by options (the rest kept), shown, a non-image logo refused."""

from __future__ import annotations

import io

from click.testing import CliRunner
from PIL import Image

from cli.main import main
from installation import bootstrap, load_settings, upgrade_database
from notifications.services import get_letterhead, unit_of_work
from protocol.services import Principal, organisation_id_for


def test_set_show_and_refuse_from_the_command_line(tmp_path):
    env = {"HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    herstel = bootstrap(load_settings(env))
    upgrade_database(herstel=herstel)
    logo = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 90, 160)).save(out, "PNG")
    logo.write_bytes(out.getvalue())
    runner = CliRunner()

    result = runner.invoke(main, ["organisation", "letterhead", "default"], env=env)
    assert result.exit_code == 0, result.output
    assert "campaigns refused until set: postal_address, phone" in result.output

    args = ["organisation", "letterhead", "default", "--name", "Gemeente Voorbeeldstad", "--address", "Postbus 1234",
            "--address", "1000 AB  Voorbeeldstad", "--phone", "14 020", "--signatory-name", "J. de Vries",
            "--signatory-title", "directeur Dienstverlening", "--logo", str(logo)]  # fmt: skip
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert "address: Postbus 1234 / 1000 AB  Voorbeeldstad" in result.output
    assert "logo: image/png 60x20" in result.output
    assert "campaigns refused" not in result.output

    result = runner.invoke(main, ["organisation", "letterhead", "default", "--phone", "088 123 45 67"], env=env)
    assert result.exit_code == 0, result.output
    organisation = organisation_id_for(uow=herstel.uow(), slug="default")
    shown = get_letterhead(uow=unit_of_work(herstel), principal=Principal.installation(), organisation_id=organisation)
    assert (shown["phone"], shown["signatory_title"]) == ("088 123 45 67", "directeur Dienstverlening")
    assert shown["logo"]["width"] == 60  # options not given keep what was set

    fake = tmp_path / "logo-echt.png"
    fake.write_bytes(b"%PDF-1.7 not a picture")
    result = runner.invoke(main, ["organisation", "letterhead", "default", "--logo", str(fake)], env=env)
    assert result.exit_code == 1
    assert "the logo is not a PNG or JPEG image" in result.output

    result = runner.invoke(main, ["organisation", "letterhead", "nergens", "--phone", "1"], env=env)
    assert result.exit_code == 1
