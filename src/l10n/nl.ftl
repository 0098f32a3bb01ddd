# De rapporten van rapport in het Nederlands. Elke id staat ook in en.ftl,
# met dezelfde argumenten (een test controleert dat). Getallen met decimalen
# komen al op de Nederlandse manier geschreven binnen; aantallen ($n,
# $speakers…) kiezen enkelvoud of meervoud.

## Woorden die overal terugkomen

list-and = { $rest } en { $last }
role-consultant = Consultant
role-client = Cliënt
role-other = Ander
not-available = n.v.t.

language-en = Engels
language-nl = Nederlands
language-de = Duits
language-fr = Frans
language-es = Spaans
language-it = Italiaans
language-pt = Portugees
language-pl = Pools
language-tr = Turks
language-ar = Arabisch
language-zh = Chinees
language-ru = Russisch
language-uk = Oekraïens
language-da = Deens
language-sv = Zweeds
language-no = Noors

## Opmerkingen bij het transcript

note-roles-configured = rollen uit rapport.toml: { $consultant } is de consultant
note-roles-configured-nobody = rollen uit rapport.toml: niemand is de consultant
note-roles-first-track = rollen aangenomen: spoor 1 wordt voor de consultant gehouden; geef met --consultant aan welk spoor dat is
note-roles-first-speaker = rollen aangenomen: wie het eerst sprak ({ $consultant }) wordt voor de consultant gehouden; geef --consultant NAAM, of zet de namen van de consultant in rapport.toml
note-roles-first-speaker-nobody = rollen aangenomen: niemand sprak, dus niemand wordt voor de consultant gehouden; geef --consultant NAAM, of zet de namen van de consultant in rapport.toml
note-roles-mixed-track = één gemengd spoor waarop één stem te horen was (of stemmen die te veel op elkaar lijken), dus niets wordt aan de consultant of de cliënt toegeschreven; --speakers N splitst het in N
note-roles-unnamed = het transcript noemt geen sprekers, dus niets wordt aan de consultant of de cliënt toegeschreven
note-silent-track = geen spraak op spoor { $track } ({ $name }): is deze kant wel opgenomen?
note-builtin-voices = het stemmodel is niet geïnstalleerd (`rapport model install`), dus de stemmen zijn onderscheiden met de ingebouwde spectrale methode, die op sommige opnamen één stem in meerdere splitst
note-voices = één gemengd spoor: de sprekers zijn aan hun stem onderscheiden ({ $speakers } sprekers, { $estimated ->
        [yes] geschat: --speakers N legt het aantal vast
       *[no] zoals opgegeven
    }; stemscheiding { $separation } op een schaal van 0 tot 1), dus wie wat zei en de spreektijden zijn schattingen ({ $method ->
        [prints] met stemafdrukken; op echte tweegesprekken lagen de aandelen 0,4 tot 1,2 punt ernaast
       *[builtin] met de ingebouwde spectrale methode; op echte tweegesprekken lagen de aandelen 0,3 tot 8 punten ernaast
    })
note-not-scored = { $reason }; het gesprek krijgt als gesprek geen score
one-sided-one-voice = één stem gehoord: de andere kant is misschien niet opgenomen
one-sided-one-track = één stem gehoord: de andere kant is misschien niet opgenomen (alleen { $name } sprak; { $silent ->
        [one] het andere spoor is
       *[other] de andere sporen zijn
    } stil)
one-sided-same-voice = één stem gehoord: de andere kant is misschien niet opgenomen ({ $first } en { $second } zijn dezelfde stem: de een is de echo of een kopie van de ander)
note-imported = ingelezen uit het transcript { $file }: er is geen geluid beluisterd, en de spreektijd is de lengte van ieders fragmenten
note-cues-sorted = de fragmenten in { $file } stonden niet op volgorde; ze zijn op begintijd gesorteerd
note-dutch-by-rules = Nederlands wordt alleen door de regels van rapport gelezen (de geleerde detectors hebben Engels geleerd), en hun nauwkeurigheid is niet gemeten op gelabelde Nederlandse gesprekken
withheld-language = het gesprek is in het { $language }, en de signalen van rapport lezen tot nu toe alleen { $read }
withheld-other-language = het gesprek is in een andere taal, en de signalen van rapport lezen tot nu toe alleen { $read }

## Wat elk signaal mat (de kerncijfers)

summary-without-roles = wie de consultant en wie de cliënt is, is onbekend
summary-check-understanding-unknown = { $n ->
        [one] 1 moment
       *[other] { $n } momenten
    }; door wie is onbekend
summary-check-understanding = { $n ->
        [one] 1 moment
       *[other] { $n } momenten
    }: de consultant vroeg { $checks ->
        [one] 1 keer
       *[other] { $checks } keer
    } of het duidelijk was, legde { $explains ->
        [one] 1 keer
       *[other] { $explains } keer
    } uit, vatte de cliënt { $summaries ->
        [one] 1 keer
       *[other] { $summaries } keer
    } samen, spiegelde de cliënt { $reflections ->
        [one] 1 keer
       *[other] { $reflections } keer
    }
summary-handback = de consultant legde de beslissing { $n ->
        [one] 1 keer
       *[other] { $n } keer
    } bij de cliënt terug
summary-handback-unknown = { $n ->
        [one] 1 beslissing
       *[other] { $n } beslissingen
    } teruggelegd; door wie is onbekend
summary-directive-unknown = { $n ->
        [one] 1 aanwijzing
       *[other] { $n } aanwijzingen
    }; door wie is onbekend
summary-directive = de consultant zei de cliënt { $unasked ->
        [one] 1 keer
       *[other] { $unasked } keer
    } ongevraagd wat te doen, en { $asked ->
        [one] 1 keer
       *[other] { $asked } keer
    } met toestemming
summary-interruptions = de consultant praatte { $n ->
        [one] 1 keer
       *[other] { $n } keer
    } door de cliënt heen ({ $per_hour } per uur)
summary-patience-none = de consultant antwoordde de cliënt nooit na een pauze
summary-patience = de consultant wachtte met antwoorden mediaan { $reply } s, tegen { $call } s in het hele gesprek; { $quick ->
        [one] 1 antwoord kwam
       *[other] { $quick } antwoorden kwamen
    } sneller dan { $quick_seconds } s
summary-options-unknown = { $n ->
        [one] 1 mogelijkheid
       *[other] { $n } mogelijkheden
    } voorgelegd; door wie is onbekend
summary-options = de consultant legde de cliënt { $n ->
        [one] 1 mogelijkheid
       *[other] { $n } mogelijkheden
    } voor ({ $alternatives } met alternatieven); de cliënt stelde er { $client } voor
summary-out-of-school = { $n ->
        [one] 1 moment
       *[other] { $n } momenten
    } na te lezen op vertrouwelijkheden van een ander
summary-out-of-school-unknown = { $n ->
        [one] 1 moment
       *[other] { $n } momenten
    } na te lezen op vertrouwelijkheden van een ander; door wie is onbekend
summary-promises-unknown = { $n ->
        [one] 1 toezegging
       *[other] { $n } toezeggingen
    } gedaan ({ $specific } met een wat en een wanneer); door wie is onbekend
summary-promises = de consultant deed { $n ->
        [one] 1 toezegging
       *[other] { $n } toezeggingen
    }, waarvan { $vague } vaag (geen wat of geen wanneer); de cliënt zegde { $client ->
        [one] 1 ding
       *[other] { $client } dingen
    } toe
summary-questions-unknown = { $n ->
        [one] 1 vraag
       *[other] { $n } vragen
    } gesteld ({ $open } open); door wie is onbekend
summary-questions = de consultant stelde { $n ->
        [one] 1 vraag
       *[other] { $n } vragen
    } ({ $per_hour } per uur), waarvan { $open } open; de cliënt stelde er { $client }
summary-talk-unknown = spreektijd: { $listing }; wie de consultant is, is onbekend
summary-talk-client-silent = de cliënt was nooit te horen: controleer of hun kant is opgenomen
summary-talk = de consultant sprak { $consultant } van de tijd en de cliënt { $client } ({ $consultant_words } en { $client_words } van de woorden)
summary-stretch-silent = { $who ->
        [client] de cliënt sprak niet
       *[consultant] de consultant sprak niet
    }
summary-stretch = het langste betoog van { $who ->
        [client] de cliënt
       *[consultant] de consultant
    } duurde { $seconds } s, vanaf { $from }; { $over } langer dan { $over_seconds } s

## De score

reason-not-scored = geen score: { $reason }
reason-not-measured = niet gemeten: { $why }
reason-signal-did-not-run = niet gemeten: het signaal is niet uitgevoerd

## De scorekaart en het transcript

participants = { $n ->
        [one] 1 deelnemer
       *[other] { $n } deelnemers
    }
label-talk = spreektijd
label-note = opmerking
detectors-rules = regels
heading-score = Cliënt aan het roer
heading-key-numbers = Kerncijfers
label-detectors = detectors
heading-evidence = Bewijs

## De HTML-pagina's

page-footer = Gemaakt door rapport op deze computer; niets op deze pagina is ergens heen gestuurd.
page-score = cliënt aan het roer, van de 100
page-rubric = rubriek
page-the-client = de cliënt
page-who-spoke-when = Wie sprak wanneer
page-timeline = tijdlijn van het gesprek
column-when = wanneer
column-who = wie
column-signal = signaal
column-said = wat er gezegd werd
page-notes = Opmerkingen

## Het weekoverzicht

status-followed-up = opgevolgd
status-overdue = te laat
status-not-mentioned = sindsdien niet genoemd
status-open = open
untrackable-no-client = het gesprek heeft geen cliënt; noem de cliënt in calls.toml om de toezeggingen te volgen
untrackable-voices = de stemmen in de opname hebben geen namen ("{ $name }"); noem de cliënt in calls.toml om de toezeggingen te volgen
untrackable-role = "{ $name }" is een rol, geen naam, en zou verschillende cliënten samenvoegen; noem de cliënt in calls.toml om de toezeggingen te volgen
untrackable-no-deliverable = er wordt niets concreets genoemd om in latere gesprekken naar te zoeken
week-tally = { $calls ->
        [one] 1 gesprek
       *[other] { $calls } gesprekken
    }, { $promises ->
        [one] 1 toezegging
       *[other] { $promises } toezeggingen
    } ({ $followed_up } opgevolgd, { $overdue } te laat, { $not_mentioned } sindsdien niet genoemd, { $open } open)
week-promises = toezeggingen: { $made } gedaan, { $followed_up } opgevolgd, { $overdue } te laat, { $not_mentioned } sindsdien niet genoemd, { $open } open (op { $as_of })
week-no-client = geen cliënt bij naam
week-no-date = geen datum
week-due = uiterlijk { $date }
week-promised = { $owner } zegde "{ $what }"{ $when } toe in { $call } op { $at }
week-untrackable = niet te volgen: { $why }
week-untrackable-count = { $n ->
        [one] 1 toezegging is
       *[other] { $n } toezeggingen zijn
    } niet te volgen: { $why }
week-average = gemiddelde van { $n } gesprekken
week-failed = mislukt
column-date = datum
column-call = gesprek
column-length = duur
column-score = score
column-talk = spreektijd
column-questions = vragen
column-options = opties
column-promises = toezeggingen
week-undated = zonder datum
weekday-monday = ma
weekday-tuesday = di
weekday-wednesday = wo
weekday-thursday = do
weekday-friday = vr
weekday-saturday = za
weekday-sunday = zo
trend-talk-share = spreektijd van de consultant
trend-questions = vragen van de consultant
trend-options = voorgelegde mogelijkheden
trend-promises = gedane toezeggingen
week-title-span = Gesprekken van { $first } tot { $last }
week-title-day = Gesprekken van { $day }
week-title = Gesprekken
week-subtitle = { $n ->
        [one] 1 gesprek
       *[other] { $n } gesprekken
    } · { $length } aan gesprekken
week-failed-count = { $n } mislukt
week-no-client-heading = Gesprekken zonder cliënt bij naam
week-no-later-call = nog geen later gesprek met deze cliënt
week-not-mentioned-in = niet genoemd in { $n ->
        [one] 1 later gesprek
       *[other] { $n } latere gesprekken
    }
status-open-untrackable = open (niet te volgen)
week-no-time = geen tijd genoemd
week-none-found = Niets gevonden.
column-what = wat
column-client = cliënt
column-status = stand
column-due = uiterlijk
column-by-whom = door wie
column-made-in = gedaan in
column-since = sindsdien
week-average-score = gemiddelde score 'cliënt aan het roer', van de 100
week-scores = Scores door de week
week-trends = Verloop, gesprek na gesprek
week-first = eerste
week-last = laatste
week-mean = gemiddeld
week-calls = Gesprekken
week-moments-keep = Momenten om vast te houden
week-moments-learn = Momenten om van te leren
week-promises-heading = Toezeggingen, per cliënt
week-ledger-explained = Op { $as_of }. Een toezegging is opgevolgd wanneer een later gesprek met dezelfde cliënt de woorden van het beloofde gebruikt; dat is woorden vergelijken, geen bewijs van levering. De cliënt is wie calls.toml noemt, anders de naam van een cliënt in het transcript; een rol ("Patient", "Speaker 2") noemt niemand, en de kanalen van een opname hebben geen namen, dus hun toezeggingen zijn pas te volgen als het manifest de cliënt noemt.
week-no-promises = Er zijn geen toezeggingen gedaan.
week-failed-heading = Mislukt
week-score-bars = score van elk gesprek

## Namen voor ids

dimension-control = regie
dimension-discretion = discretie
dimension-understanding = begrip
dimension-reliability = betrouwbaarheid

signal-talk-share = spreektijd
signal-questions = vragen
signal-options-offered = mogelijkheden
signal-decision-handback = beslissing-terug
signal-promises = toezeggingen
signal-monologue = monoloog
signal-client-story = verhaal-cliënt
signal-interruptions = onderbrekingen
signal-patience = geduld
signal-check-understanding = begrip-nagaan
signal-out-of-school = uit-de-school
signal-directive-advice = sturend-advies

kind-check = controle
kind-explain = uitleg
kind-reflection = spiegeling
kind-summary = samenvatting
kind-client-story = verhaal
kind-handback = teruggelegd
kind-directive = opdracht
kind-with-permission = met-toestemming
kind-interruption = onderbreking
kind-monologue = monoloog
kind-alternatives = alternatieven
kind-offer = aanbod
kind-option = mogelijkheid
kind-suggestion = suggestie
kind-third-party = derde
kind-confidence = vertrouwelijk
kind-quick-reply = snel-antwoord
kind-client-commitment = toezegging-cliënt
kind-commitment = toezegging
kind-promise = toezegging
kind-vague-promise = vage-toezegging
kind-closed = gesloten
kind-open = open
