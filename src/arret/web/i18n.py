"""English and French for the web UI. The language is the visitor's choice (the `lang`
cookie, set by the switch on every page), else the first of `Accept-Language` that we
speak, else English. Messages are keyed by their English text; a message missing from
the French table shows in English (a test lists the templates' messages and requires
each to have its French).

Reasons written by the registry (why an order is refused) come from the domain in
English and are shown as they are, in both languages.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr")

FR: dict[str, str] = {
    "Arrêt": "Arrêt",
    "Public register": "Registre public",
    "Orders": "Ordres",
    "Register an order": "Enregistrer un ordre",
    "Log in": "Se connecter",
    "Log out": "Se déconnecter",
    "Logged in as": "Connecté en tant que",
    "Language": "Langue",
    "Every blocking order, its authority, dates and names.": "Tous les ordres de blocage, leur autorité, leurs dates et leurs noms.",
    "Confidential order: names are not published.": "Ordre confidentiel : les noms ne sont pas publiés.",
    "No orders yet.": "Aucun ordre pour l'instant.",
    "Transparency log": "Journal de transparence",
    "Every change of this register, and every list sent to the operators, is appended to a public log that nobody can rewrite unseen. Names of confidential orders appear there only as salted hashes.": "Chaque modification de ce registre, et chaque liste envoyée aux opérateurs, est ajoutée à un journal public que personne ne peut réécrire sans que cela se voie. Les noms des ordres confidentiels n'y figurent que sous forme d'empreintes salées.",
    "Entries": "Entrées",
    "Root hash": "Empreinte racine",
    "Signed at": "Signé le",
    "Key": "Clé",
    "The log is empty.": "Le journal est vide.",
    "Check it yourself": "Vérifiez-le vous-même",
    "Reference": "Référence",
    "Authority": "Autorité",
    "Requester": "Demandeur",
    "Legal basis": "Fondement juridique",
    "Decided on": "Décidé le",
    "Effective": "En vigueur depuis",
    "Effective from": "En vigueur à partir du",
    "Expires": "Expire le",
    "Ends": "Prend fin le",
    "Lifted": "Levé le",
    "Status": "Statut",
    "Operators": "Opérateurs",
    "Operator": "Opérateur",
    "all operators": "tous les opérateurs",
    "Names": "Noms",
    "names": "noms",
    "Action": "Action",
    "Notice text": "Texte d'information",
    "Confidential": "Confidentiel",
    "yes": "oui",
    "no": "non",
    "scheduled": "à venir",
    "in-force": "en vigueur",
    "expired": "expiré",
    "lifted": "levé",
    "registered": "enregistré",
    "amended": "modifié",
    "Timeline": "Chronologie",
    "added": "ajoutés",
    "removed": "retirés",
    "new expiry": "nouvelle échéance",
    "reason": "motif",
    "Targets": "Cibles",
    "Targets listed on this page": "Cibles sur cette page",
    "Next targets": "Cibles suivantes",
    "Next names": "Noms suivants",
    "Scope": "Portée",
    "subtree": "le nom et tout ce qui est en dessous",
    "exact": "le nom seul",
    "Added": "Ajouté le",
    "Removed": "Retiré le",
    "Filter": "Filtrer",
    "any": "tous",
    "At instant": "À l'instant",
    "Show": "Afficher",
    "Token": "Jeton",
    "Paste a token created with": "Collez un jeton créé avec",
    "Your session ended, or the token is no longer valid: log in again.": "Votre session a pris fin, ou le jeton n'est plus valide : reconnectez-vous.",
    "Register": "Enregistrer",
    "Case reference": "Référence de l'affaire",
    "Issuing authority": "Autorité qui a décidé",
    "Date of the decision": "Date de la décision",
    "Takes effect at (empty: now)": "Prend effet le (vide : maintenant)",
    "Duration": "Durée",
    "or expires at": "ou expire le",
    "Names to block, one per line": "Noms à bloquer, un par ligne",
    "Block only these names, not the names below them": "Bloquer ces noms seulement, pas les noms en dessous",
    "Address every operator, including later ones": "Viser tous les opérateurs, y compris ceux ajoutés plus tard",
    "Show names in public only as a count": "Ne publier que le nombre de noms",
    "Shown to people who reach a blocked name": "Affiché aux personnes qui visitent un nom bloqué",
    "The order was refused; nothing was registered. Fix what is listed and submit again.": "L'ordre a été refusé ; rien n'a été enregistré. Corrigez ce qui est signalé et "
    "soumettez à nouveau.",
    "Amend": "Modifier",
    "Add mirror sites, one per line": "Ajouter des sites miroirs, un par ligne",
    "Remove names, one per line": "Retirer des noms, un par ligne",
    "New expiry": "Nouvelle échéance",
    "Lift": "Lever",
    "Reason (public)": "Motif (public)",
    "Lift this order": "Lever cet ordre",
    "Please confirm": "Veuillez confirmer",
    "This change is large. Read what it will do, then confirm.": "Ce changement est important. Lisez ce qu'il fera, puis confirmez.",
    "Names that will be blocked": "Noms qui seront bloqués",
    "Names that will no longer be blocked": "Noms qui ne seront plus bloqués",
    "Confirm": "Confirmer",
    "Cancel": "Annuler",
    "Feed": "Flux",
    "Zone": "Zone",
    "Serial": "Numéro de série",
    "Published at": "Publié le",
    "Last transfer": "Dernier transfert",
    "none since the server started": "aucun depuis le démarrage du serveur",
    "What to block now": "Ce qu'il faut bloquer maintenant",
    "Changes since serial": "Changements depuis le numéro de série",
    "Resolver configuration": "Configuration du résolveur",
    "showing the first": "affichage des",
    "This site is blocked by a legal order": "Ce site est bloqué par une décision de justice",
    "This name is not blocked": "Ce nom n'est pas bloqué",
    "No order in force blocks": "Aucun ordre en vigueur ne bloque",
    "is blocked in your network because of the following order.": "est bloqué sur votre réseau en raison de la décision suivante.",
    "Ordered by": "Ordonné par",
    "Case": "Affaire",
    "Since": "Depuis le",
    "Until": "Jusqu'au",
    "The order says": "La décision indique",
    "How to contest": "Comment contester",
    "contest-text": "Ce blocage exécute une décision de l'autorité ci-dessus. Pour la contester, "
    "adressez-vous à cette autorité en citant la référence de l'affaire ; le registre "
    "public indique les dates et le fondement juridique de chaque décision.",
    "This page records nothing about you: not your address, not your visit.": "Cette page n'enregistre rien sur vous : ni votre adresse, ni votre visite.",
    "Look up a name": "Rechercher un nom",
    "Name": "Nom",
    "Check": "Vérifier",
    "The order": "La décision",
    "is on the allow-list": "figure sur la liste d'autorisation",
    "Something went wrong": "Une erreur est survenue",
    "Back": "Retour",
    "Order": "Ordre",
    "Registered at": "Enregistré le",
    "by": "par",
    "Operator page": "Page opérateur",
    "Public page": "Page publique",
    "nxdomain": "nom inexistant (NXDOMAIN)",
    "nodata": "sans données (NODATA)",
    "notice": "page d'information",
    "The order was registered.": "L'ordre a été enregistré.",
    "The order was amended.": "L'ordre a été modifié.",
    "The order was lifted.": "L'ordre a été levé.",
    "The change was refused; nothing was changed.": "Le changement a été refusé ; rien n'a changé.",
    "Compliance": "Conformité",
    "compliance": "conformité",
    "over-blocking": "sur-blocage",
    "No probe results yet: declare the resolvers to probe, then run": "Aucun résultat de sondage : déclarez les résolveurs à sonder, puis lancez",
    "Over time": "Dans le temps",
    "Compliance and over-blocking over time": "Conformité et sur-blocage dans le temps",
    "Resolvers": "Résolveurs",
    "Resolver": "Résolveur",
    "Names not blocked as ordered": "Noms non bloqués comme ordonné",
    "Still blocked after their order ended": "Encore bloqués après la fin de leur ordre",
    "Ended": "Fin",
    "Evidence": "Preuve",
    "Expected": "Attendu",
    "Verdict": "Verdict",
    "Answers": "Réponses",
    "At": "Le",
    "Serial held": "Numéro de série détenu",
    "Seen at": "Vu le",
    "Behind by": "En retard de",
    "NOTIFY": "NOTIFY",
    "evidence": "preuve",
    "not seen since the server started": "pas vu depuis le démarrage du serveur",
    "current": "à jour",
    "re-sending serial": "renvoi du numéro de série",
    "to": "à",
    "sent since": "envoyés depuis le",
    "given up on serial": "abandon du numéro de série",
    "at": "le",
    "No resolver has fetched this feed or been sent NOTIFY since the server started.": "Aucun résolveur n'a récupéré ce flux ni reçu de NOTIFY depuis le démarrage du serveur.",
}

EN_OVERRIDES: dict[str, str] = {
    "contest-text": "This block carries out a decision of the authority above. To contest "
    "it, address that authority, quoting the case reference; the public register gives "
    "the dates and legal basis of every decision.",
}


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The cookie if it names a language we speak, else the best of Accept-Language."""
    if cookie in LANGUAGES:
        return cookie
    best, best_q = "en", -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier entries win ties (RFC 9110 §12.5.4 leaves ties to the server).
        if primary in LANGUAGES and q > 0 and q - position * 1e-6 > best_q:
            best, best_q = primary, q - position * 1e-6
    return best


def translator(lang: str) -> dict[str, str]:
    return FR if lang == "fr" else EN_OVERRIDES


def gettext(lang: str, message: str) -> str:
    return translator(lang).get(message, message)
