"""The package side of `coursekit check`: the zip, its imsmanifest.xml against the ADL schemas, the CAM rules."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent.parent / "templates" / "scorm"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_XSD = SCHEMAS / "xsd2004" / "xml.xsd"
# Where schemas import the XML namespace from: never fetched, always the W3C copy shipped with the package.
XML_XSD_ALIASES = {"http://www.w3.org/2001/xml.xsd", "http://www.w3.org/2001/03/xml.xsd",
                   (SCHEMAS / "xsd12" / "ims_xml.xsd").as_uri()}
CP = {"12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "2004": "http://www.imsglobal.org/xsd/imscp_v1p1"}
ADLCP = {"12": "http://www.adlnet.org/xsd/adlcp_rootv1p2", "2004": "http://www.adlnet.org/xsd/adlcp_v1p3"}
IMSSS = "http://www.imsglobal.org/xsd/imsss"
IMPORTS = {
    "12": [(CP["12"], "xsd12/imscp_rootv1p1p2.xsd"), (ADLCP["12"], "xsd12/adlcp_rootv1p2.xsd"),
           ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", "xsd12/imsmd_rootv1p2p1.xsd")],
    "2004": [(CP["2004"], "xsd2004/imscp_v1p1.xsd"), (ADLCP["2004"], "xsd2004/adlcp_v1p3.xsd"),
             ("http://www.adlnet.org/xsd/adlseq_v1p3", "xsd2004/adlseq_v1p3.xsd"),
             ("http://www.adlnet.org/xsd/adlnav_v1p3", "xsd2004/adlnav_v1p3.xsd"),
             (IMSSS, "xsd2004/imsss_v1p0.xsd"), ("http://ltsc.ieee.org/xsd/LOM", "xsd2004/lomStrict.xsd")],
}
LABEL = {"12": "SCORM 1.2", "2004": "SCORM 2004 4th Edition"}
SCHEMAVERSION = {"12": "1.2", "2004": "2004 4th Edition"}


@dataclass
class Package:
    """What the manifest says an LMS should do with the package, and what is wrong with it."""

    version: str = ""           # "12" or "2004"; "" when the manifest is unreadable
    launch: str = ""            # the SCO's launch file, relative to the package root
    mastery: float | None = None  # the pass mark the LMS loads (percent)
    names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _driver(version: str) -> str:
    """A schema that imports every namespace a manifest of this version may use (no schemaLocation trusted)."""
    imports = [(XML_NS, XML_XSD)] + [(ns, SCHEMAS / relative) for ns, relative in IMPORTS[version]]
    body = "".join(f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>' for ns, path in imports)
    return f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>'


def schema_errors(manifest: bytes, version: str) -> list[str]:
    """XSD errors of the manifest against the ADL schemas shipped in the package (nothing is fetched).

    SCORM 1.2's imsmd schema breaks XSD 1.0's unique particle rule, so 1.2 is checked in XSD 1.1 (xmlschema);
    2004 with libxml2.
    """
    if version == "12":
        import xmlschema

        schema = xmlschema.XMLSchema11(_driver("12"), base_url=str(SCHEMAS / "xsd12"), allow="local",
                                       uri_mapper={uri: XML_XSD.as_uri() for uri in XML_XSD_ALIASES})
        return [f"imsmanifest.xml: {error.path}: {error.reason}" for error in schema.iter_errors(manifest.decode())]

    class LocalOnly(etree.Resolver):  # type: ignore[misc]  # lxml ships no type stubs: Resolver is Any
        def resolve(self, url: str | None, pubid: str | None, context: object) -> object:
            return self.resolve_filename(XML_XSD.as_uri(), context) if url in XML_XSD_ALIASES else None

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalOnly())
    schema = etree.XMLSchema(etree.fromstring(_driver("2004").encode(), parser,
                                              base_url=(SCHEMAS / "xsd2004" / "driver.xsd").as_uri()))
    document = etree.fromstring(manifest, etree.XMLParser(no_network=True, resolve_entities=False))
    if schema.validate(document):
        return []
    return [f"imsmanifest.xml:{error.line}: {error.message}" for error in schema.error_log]


def read_package(archive: Path) -> Package:
    """Open the zip, find the manifest's version, launch file and pass mark, and list what is wrong."""
    package = Package()
    try:
        with zipfile.ZipFile(archive) as bundle:
            package.names = bundle.namelist()
            manifest = bundle.read("imsmanifest.xml") if "imsmanifest.xml" in package.names else None
    except (zipfile.BadZipFile, OSError) as exc:
        package.problems.append(f"{archive.name} is not a readable zip ({exc})")
        return package
    unsafe = [name for name in package.names if name.startswith("/") or ".." in PurePosixPath(name).parts]
    if unsafe:
        package.problems.append(f"entries outside the package root: {', '.join(unsafe[:3])}")
    if manifest is None:
        package.problems.append("no imsmanifest.xml at the root of the zip: an LMS cannot import it")
        return package
    try:
        root = etree.fromstring(manifest, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        package.problems.append(f"imsmanifest.xml is not well-formed XML: {exc}")
        return package
    version = next((v for v, ns in CP.items() if root.tag == f"{{{ns}}}manifest"), "")
    if not version:
        package.problems.append(f"imsmanifest.xml: root element {root.tag} is not a SCORM 1.2 or 2004 <manifest>")
        return package
    package.version = version
    package.problems += schema_errors(manifest, version)
    package.problems += _cam_rules(root, package)
    return package


def _cam_rules(root: etree._Element, package: Package) -> list[str]:
    """The content-packaging rules the XSDs cannot express; fills in the launch file and pass mark."""
    version = package.version
    cp, adlcp = f"{{{CP[version]}}}", f"{{{ADLCP[version]}}}"
    problems = []
    schemaversion = (root.findtext(f"{cp}metadata/{cp}schemaversion") or "").strip()
    if schemaversion != SCHEMAVERSION[version]:
        problems.append(f"imsmanifest.xml: <schemaversion> is {schemaversion!r}, expected {SCHEMAVERSION[version]!r}")
    organizations = root.find(f"{cp}organizations")
    default = (organizations.get("default") or "").strip() if organizations is not None else ""
    organization = next((o for o in root.iter(f"{cp}organization") if (o.get("identifier") or "").strip() == default),
                        None)
    if organization is None:
        problems.append(f"imsmanifest.xml: organizations@default={default!r} matches no <organization>")
        return problems
    resources = {(r.get("identifier") or "").strip(): r for r in root.iter(f"{cp}resource")}
    scormtype = f"{adlcp}{'scormtype' if version == '12' else 'scormType'}"
    item = next((i for i in organization.iter(f"{cp}item") if i.get("identifierref")), None)
    if item is None:
        problems.append("imsmanifest.xml: the default organization has no item that launches a resource")
        return problems
    resource = resources.get((item.get("identifierref") or "").strip())
    if resource is None:
        problems.append(f"imsmanifest.xml: item {item.get('identifier')!r}: identifierref="
                        f"{item.get('identifierref')!r} matches no <resource>")
        return problems
    if resource.get(scormtype) != "sco":
        problems.append(f"imsmanifest.xml: resource {resource.get('identifier')!r} is not a SCO (scormtype)")
    package.launch = (resource.get("href") or "").split("?")[0].split("#")[0]
    listed = {f.get("href") for r in resources.values() for f in r.iter(f"{cp}file")}
    if not package.launch:
        problems.append(f"imsmanifest.xml: resource {resource.get('identifier')!r} has no href to launch")
    elif package.launch not in package.names:
        problems.append(f"imsmanifest.xml: the launch file {package.launch!r} is not in the zip")
    missing = sorted(name for name in listed if name and name not in package.names)
    if missing:
        problems.append(f"imsmanifest.xml lists files that are not in the zip: {', '.join(missing[:5])}")
    unlisted = sorted(name for name in package.names if name not in listed and not name.endswith("/")
                      and name != "imsmanifest.xml" and not name.endswith((".xsd", ".dtd")))
    if unlisted:
        problems.append(f"files in the zip that the manifest does not list: {', '.join(unlisted[:5])}")
    if version == "12":
        mastery = item.findtext(f"{adlcp}masteryscore")
    else:
        measure = item.find(f".//{{{IMSSS}}}primaryObjective[@satisfiedByMeasure='true']/"
                            f"{{{IMSSS}}}minNormalizedMeasure")
        mastery = str(float(measure.text) * 100) if measure is not None and measure.text else None
    if mastery is not None:
        try:
            package.mastery = float(mastery)
        except ValueError:
            problems.append(f"imsmanifest.xml: the mastery score {mastery!r} is not a number")
    return problems
