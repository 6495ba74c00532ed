"""Sentence segmenters compared on a hand-checked gold set: boundary precision/recall and speed.

Run: .venv/bin/python bench/sentence_segmenters.py [--errors]

The gold set, every sentence end marked `¦` by hand: real text (the CQC reviews, SQuAD Wikipedia
articles, the Haystack sample.md), made-up review sentences full of abbreviations, initials, numbers,
quotes and lists, hard-wrapped copies of both (72 and 60 columns, Markdown list indentation and lazy
continuation lines) whose marks are carried over from the unwrapped text, and a held-out set labelled
after the rules were written (more SQuAD paragraphs and three PDF pages as pypdf extracts them). The
made-up cases were written alongside the rules, so read their column with that in mind. A boundary is
the offset where a sentence ends (trailing white space excluded); the end of each text is not counted.

Candidates: the regex ingest used before, pysbd, syntok and blingfire on the raw text, the same three
on the pieces `ingest.sentences` cuts at hard boundaries (blank lines, list items, stand-alone lines;
line wraps inside a piece become spaces), blingfire with the rules' abbreviation veto, and the rules
in `ingest.sentences` (a library that is not installed is left out). Speed: every block of the real
documents and of their hard-wrapped copies, segmented one block at a time as ingest does; throughput
counts the sentences the rules find there, so every row measures the same work.
"""

from __future__ import annotations

import re
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.sentences import _ends_sentence, _marker_length, _pieces, sentence_spans  # noqa: E402
from ingest.structure import bullet_marker_length, segment_markdown, segment_plain_text  # noqa: E402

SHARED = ROOT.parent / "shared"
MARK = "¦"
Spans = list[tuple[int, int]]
Segmenter = Callable[[str, int, int], Spans]

REAL: list[tuple[str, str]] = [
    (
        "cqc/collaborating",
        "Collaborating for better care¦\n\n"
        "Page last updated: 21 October 2022¦\n"
        "Categories¦\n"
        "Public¦\n\n"
        "The pandemic has magnified issues already faced by local health and care systems.¦"
        " They have tried to maintain or adapt services where possible to support their local"
        " populations in different ways.¦"
        " The response to COVID-19 has acted as a catalyst for good care in some places, through an"
        " advancement in collaboration.¦\n\n"
        "During a series of provider collaboration reviews (PCRs) in the past year, we have looked at"
        " how the different services in local systems worked together to understand and meet the needs"
        " of their local populations in the face of the pandemic.¦\n\n"
        "Navigating disruption to services¦\n\n"
        "Closure or disruption to services during the pandemic has meant that some people have not"
        " received care they needed.¦"
        " Access has varied by sector and locality.¦"
        " We heard how access to urgent mental health care, primary care or dental care became more"
        " difficult, sometimes increasing demand in other parts of the urgent care pathway, such as"
        " hospital emergency departments.¦\n\n"
        "Systems tried to ensure access in different ways.¦"
        " For example:¦\n\n"
        "  • A general practice worked with the voluntary sector and their local authority to support"
        " homeless people.¦"
        " They were provided with hotel accommodation and received better access to care because"
        " providers knew where they were.¦"
        " Some were provided with the technology required for remote consultations.¦\n"
        "  • North West Ambulance Service employed pharmacists in their NHS 111 call centres to support"
        " prescription requests – this helped people avoid going to A&E.¦"
        " Similarly, specific medication was made available to ambulance crews to support patients at"
        " the end of their life.¦\n"
        "  • Leicester, Leicestershire and Rutland Clinical Commissioning Group expanded the provision"
        " of chemotherapy at home, ensuring patients continued their treatment plans and in a safer"
        " environment.¦\n"
        "  • When we reviewed cancer services in several regions, they all used mutual aid and/or staff"
        " redeployment based on capacity needs to ensure sufficient levels of staff with the right"
        " skills – this included movement of staff between providers, as well as movement of staff"
        " within a single provider.¦\n"
        "  • Efforts were made by some systems to respond to reductions in cancer referral rates at the"
        " beginning of the pandemic, by identifying areas where screening uptake was poor and promoting"
        " access to cancer screening services for early referral and diagnosis.¦"
        " Cancer screening messages were also targeted to people living in deprived areas or in areas"
        " where certain cancers are more prevalent.¦\n"
        "  • One collaborative multi-agency approach we heard about involved health, education, social"
        " care services and parents – this met the needs of a young person with a learning disability"
        " during a period of crisis, by securing rapid access to specialist intervention, an appropriate"
        " education setting and a bespoke curriculum.¦\n\n"
        "Communicating the status of services to people who needed to access care was often challenging.¦"
        " Some local systems and providers used social media, local radio and television to reach out to"
        " communities.¦"
        " Some used their multilingual workforces to create videos in different languages.¦\n\n"
        "We reported in last year’s State of Care about the high volume of guidance from central"
        " authorities for providers and how it frequently changed.¦"
        " In trying to keep people up to speed, we heard how providers sometimes struggled with the pace"
        " of change – they described ‘information overload’ and sometimes conflicting guidance during"
        " the peaks of the pandemic.¦\n\n"
        "Many appointments changed to a remote or digital method of delivery, including for example"
        " counselling sessions for people with cancer and some day care activities for people with a"
        " learning disability.¦\n\n"
        "These helped to improve access for many people, but remote or digital consultations were not"
        " right for everyone or for some population groups.¦"
        " The flexibility of digital care was identified across local systems as something to maintain"
        " for some patients, while it was acknowledged that they were not ideal in all circumstances.",
    ),
    (
        "cqc/governance",
        "This is the 2019/20 edition of State of Care¦\n"
        "How have leaders collaborated across local systems to ensure well-planned service delivery for"
        " older people during the pandemic?¦"
        " We looked at governance structures and how effective these were in supporting safe delivery of"
        " care – and what providers have learned, and how they have shared learning.¦\n"
        "We wanted to find out how local leadership and governance across a system and a shared plan had"
        " helped services to care for people.¦"
        " Our work in local systems in recent years has showed that people who use services can benefit"
        " where there is a common vision and purpose that is shared between leaders in a system.¦\n"
        "Across the 11 local areas we reviewed, we found different kinds of plans were in place to"
        " manage health and social care services in the event of an emergency.¦"
        " We were told that pre-existing emergency plans were intended to deal with the likes of a flu"
        " pandemic or a single incident – not a crisis on the scale of COVID-19 – and they therefore"
        " needed to be adapted.¦"
        " We heard how some areas were not prepared for many types of service being shut down at the"
        " same time.¦\n"
        "Where we found well planned governance, clear decision-making arrangements and escalation"
        " plans, those system-wide responses were most effective¦\n"
        "Local leaders in some areas told us that COVID-19 has brought about an increased focus on"
        " shared planning and system-wide governance that includes all parts of the local system.¦"
        " A number of things went well in some places, including:¦\n"
        "- Governance structures with clear process for decision-making and escalation of issues across"
        " the system that enabled an effective system-wide response.¦\n"
        "- Increased communication and collaboration, particularly through the use of cells focusing on"
        " specific pathways of care.¦"
        " This enabled information sharing, good practice, collective decisions and escalation of"
        " issues.¦\n"
        "- New or improved lines of communication and collaboration between sectors to share information"
        " and provide more joined-up care.¦\n"
        "Some organisations found that responding to COVID-19 brought them towards what was described as"
        " a shared purpose, and enabled them to strengthen relationships with system partners.¦"
        " The ICS in Sussex was newly formed in April 2020 and, while leaders from Sussex CCG and Sussex"
        " Partnership Trust acknowledged that the relationship had been formed before the pandemic, they"
        " felt it had galvanised change overnight towards real collaboration.¦\n"
        "Across the localities we reviewed, there was often an acknowledgement that COVID-19 had"
        " accelerated collaborative working across health and social care, but there needed to be a"
        " focus on communication and engagement for the local systems.¦"
        " It was widely recognised across the areas we visited that local communication was the key to"
        " local success.¦\n"
        "Where we found multiple or unclear governance arrangements, those areas experienced higher"
        " levels of confusion and duplication of effort.¦"
        " The views of sector partners varied as to the effectiveness of joint and supportive working"
        " arrangements, particularly between care homes and GP practices",
    ),
    (
        "sample.md",
        "## What to build with Haystack¦\n\n"
        "- **Ask questions in natural language** and find granular answers in your own documents.¦\n"
        "- Perform **semantic search** and retrieve documents according to meaning not keywords¦\n"
        "- Use **off-the-shelf models** or **fine-tune** them to your own domain.¦\n"
        "- Use **user feedback** to evaluate, benchmark and continuously improve your live models.¦\n"
        "- Leverage existing **knowledge bases** and better handle the long tail of queries that"
        " **chatbots** receive.¦\n"
        "- **Automate processes** by automatically applying a list of questions to new documents and"
        " using the extracted answers.¦\n\n"
        "![Logo](https://raw.githubusercontent.com/deepset-ai/haystack/main/images/banner.png)¦\n\n\n"
        "## Core Features¦\n\n"
        "-   **Latest models**: Utilize all latest transformer based models (e.g. BERT, RoBERTa, MiniLM)"
        " for extractive QA, generative QA and document retrieval.¦\n"
        "-   **Modular**: Multiple choices to fit your tech stack and use case.¦"
        " Pick your favorite database, file converter or modeling framework.¦\n"
        "-   **Open**: 100% compatible with HuggingFace's model hub.¦"
        " Tight interfaces to other frameworks (e.g. Transformers, FARM, sentence-transformers)¦\n"
        "-   **Scalable**: Scale to millions of docs via retrievers, production-ready backends like"
        " Elasticsearch / FAISS and a fastAPI REST API¦\n"
        "-   **End-to-End**: All tooling in one place: file conversion, cleaning, splitting, training,"
        " eval, inference, labeling ...¦\n"
        "-   **Developer friendly**: Easy to debug, extend and modify.¦\n"
        "-   **Customizable**: Fine-tune models to your own domain or implement your custom"
        " DocumentStore.¦\n"
        "-   **Continuous Learning**: Collect new training data via user feedback in production &"
        " improve your models continuously",
    ),
    (
        "squad/1973_oil_crisis#16",
        "In 2004, declassified documents revealed that the U.S. was so distraught by the rise in oil"
        " prices and being challenged by under-developed countries that they briefly considered military"
        " action to forcibly seize Middle Eastern oilfields in late 1973.¦"
        " Although no explicit plan was mentioned, a conversation between U.S. Secretary of Defense"
        " James Schlesinger and British Ambassador to the United States Lord Cromer revealed Schlesinger"
        ' had told him that "it was no longer obvious to him that the U.S. could not use force."¦'
        " British Prime Minister Edward Heath was so worried by this prospect that he ordered a British"
        ' intelligence estimate of U.S. intentions, which concluded America "might consider it could not'
        " tolerate a situation in which the U.S. and its allies were at the mercy of a small group of"
        ' unreasonable countries," and that they would prefer a rapid operation to seize oilfields in'
        " Saudi Arabia and Kuwait, and possibly Abu Dhabi in military action was decided upon.¦"
        " Although the Soviet response to such an act would likely not involve force, intelligence"
        ' warned "the American occupation would need to last 10 years as the West developed alternative'
        " energy sources, and would result in the ‘total alienation’ of the Arabs and much of the rest"
        ' of the Third World."',
    ),
    (
        "squad/1973_oil_crisis#22",
        "An increase in imported cars into North America forced General Motors, Ford and Chrysler to"
        " introduce smaller and fuel-efficient models for domestic sales.¦"
        " The Dodge Omni / Plymouth Horizon from Chrysler, the Ford Fiesta and the Chevrolet Chevette"
        " all had four-cylinder engines and room for at least four passengers by the late 1970s.¦"
        " By 1985, the average American vehicle moved 17.4 miles per gallon, compared to 13.5 in 1970.¦"
        " The improvements stayed even though the price of a barrel of oil remained constant at $12 from"
        " 1974 to 1979.¦"
        " Sales of large sedans for most makes (except Chrysler products) recovered within two model"
        " years of the 1973 crisis.¦"
        " The Cadillac DeVille and Fleetwood, Buick Electra, Oldsmobile 98, Lincoln Continental, Mercury"
        " Marquis, and various other luxury oriented sedans became popular again in the mid-1970s.¦"
        " The only full-size models that did not recover were lower price models such as the Chevrolet"
        " Bel Air, and Ford Galaxie 500.¦"
        " Slightly smaller, mid-size models such as the Oldsmobile Cutlass, Chevrolet Monte Carlo, Ford"
        " Thunderbird and various other models sold well.",
    ),
    (
        "squad/Huguenot#2",
        "A term used originally in derision, Huguenot has unclear origins.¦"
        " Various hypotheses have been promoted.¦"
        " The nickname may have been a combined reference to the Swiss politician Besançon Hugues (died"
        " 1532) and the religiously conflicted nature of Swiss republicanism in his time, using a clever"
        " derogatory pun on the name Hugues by way of the Dutch word Huisgenoten (literally housemates),"
        " referring to the connotations of a somewhat related word in German Eidgenosse (Confederates as"
        ' in "a citizen of one of the states of the Swiss Confederacy").¦'
        " Geneva was John Calvin's adopted home and the centre of the Calvinist movement.¦"
        ' In Geneva, Hugues, though Catholic, was a leader of the "Confederate Party", so called because'
        " it favoured independence from the Duke of Savoy through an alliance between the city-state of"
        " Geneva and the Swiss Confederation.¦"
        " The label Huguenot was purportedly first applied in France to those conspirators (all of them"
        " aristocratic members of the Reformed Church) involved in the Amboise plot of 1560: a foiled"
        " attempt to wrest power in France from the influential House of Guise.¦"
        " The move would have had the side effect of fostering relations with the Swiss.¦"
        " Thus, Hugues plus Eidgenosse by way of Huisgenoten supposedly became Huguenot, a nickname"
        " associating the Protestant cause with politics unpopular in France.[citation needed]",
    ),
    (
        "squad/Huguenot#40",
        "Most of the Huguenot congregations (or individuals) in North America eventually affiliated with"
        " other Protestant denominations with more numerous members.¦"
        " The Huguenots adapted quickly and often married outside their immediate French communities,"
        " which led to their assimilation.¦"
        " Their descendants in many families continued to use French first names and surnames for their"
        " children well into the nineteenth century.¦"
        " Assimilated, the French made numerous contributions to United States economic life, especially"
        " as merchants and artisans in the late Colonial and early Federal periods.¦"
        " For example, E.I. du Pont, a former student of Lavoisier, established the Eleutherian"
        " gunpowder mills.",
    ),
    (
        "squad/Huguenot#43",
        "Around 1685, Huguenot refugees found a safe haven in the Lutheran and Reformed states in"
        " Germany and Scandinavia.¦"
        " Nearly 50,000 Huguenots established themselves in Germany, 20,000 of whom were welcomed in"
        " Brandenburg-Prussia, where they were granted special privileges (Edict of Potsdam) and"
        " churches in which to worship (such as the Church of St. Peter and St. Paul, Angermünde) by"
        " Frederick William, Elector of Brandenburg and Duke of Prussia.¦"
        " The Huguenots furnished two new regiments of his army: the Altpreußische Infantry Regiments"
        " No. 13 (Regiment on foot Varenne) and 15 (Regiment on foot Wylich).¦"
        " Another 4,000 Huguenots settled in the German territories of Baden, Franconia (Principality of"
        " Bayreuth, Principality of Ansbach), Landgraviate of Hesse-Kassel, Duchy of Württemberg, in the"
        " Wetterau Association of Imperial Counts, in the Palatinate and Palatinate-Zweibrücken, in the"
        " Rhine-Main-Area (Frankfurt), in modern-day Saarland; and 1,500 found refuge in Hamburg, Bremen"
        " and Lower Saxony.¦"
        " Three hundred refugees were granted asylum at the court of George William, Duke of"
        " Brunswick-Lüneburg in Celle.",
    ),
    (
        "squad/Imperialism#14",
        "Cultural imperialism is when a country's influence is felt in social and cultural circles, i.e."
        " its soft power, such that it changes the moral, cultural and societal worldview of another.¦"
        ' This is more than just "foreign" music, television or film becoming popular with young people,'
        " but that popular culture changing their own expectations of life and their desire for their"
        " own country to become more like the foreign country depicted.¦"
        " For example, depictions of opulent American lifestyles in the soap opera Dallas during the"
        " Cold War changed the expectations of Romanians; a more recent example is the influence of"
        " smuggled South Korean drama series in North Korea.¦"
        " The importance of soft power is not lost on authoritarian regimes, fighting such influence"
        " with bans on foreign popular culture, control of the internet and unauthorised satellite"
        " dishes etc.¦"
        " Nor is such a usage of culture recent, as part of Roman imperialism local elites would be"
        " exposed to the benefits and luxuries of Roman culture and lifestyle, with the aim that they"
        " would then become willing participants.",
    ),
    (
        "squad/Imperialism#18",
        "Along with advancements in communication, Europe also continued to advance in military"
        " technology.¦"
        " European chemists made deadly explosives that could be used in combat, and with innovations in"
        " machinery they were able to manufacture improved firearms.¦"
        " By the 1880s, the machine gun had become an effective battlefield weapon.¦"
        " This technology gave European armies an advantage over their opponents, as armies in"
        " less-developed countries were still fighting with arrows, swords, and leather shields (e.g."
        " the Zulus in Southern Africa during the Anglo-Zulu War of 1879).",
    ),
    (
        "squad/Computational_complexity_theory#4",
        "A computational problem can be viewed as an infinite collection of instances together with a"
        " solution for every instance.¦"
        " The input string for a computational problem is referred to as a problem instance, and should"
        " not be confused with the problem itself.¦"
        " In computational complexity theory, a problem refers to the abstract question to be solved.¦"
        " In contrast, an instance of this problem is a rather concrete utterance, which can serve as"
        " the input for a decision problem.¦"
        " For example, consider the problem of primality testing.¦"
        ' The instance is a number (e.g. 15) and the solution is "yes" if the number is prime and "no"'
        ' otherwise (in this case "no").¦'
        " Stated another way, the instance is a particular input to the problem, and the solution is the"
        " output corresponding to the given input.",
    ),
    (
        "squad/Packet_switching#16",
        "Tymnet was an international data communications network headquartered in San Jose, CA that"
        " utilized virtual call packet switched technology and used X.25, SNA/SDLC, BSC and ASCII"
        " interfaces to connect host computers (servers)at thousands of large companies, educational"
        " institutions, and government agencies.¦"
        " Users typically connected via dial-up connections or dedicated async connections.¦"
        " The business consisted of a large public network that supported dial-up users and a private"
        " network business that allowed government agencies and large companies (mostly banks and"
        " airlines) to build their own dedicated networks.¦"
        " The private networks were often connected via gateways to the public network to reach"
        " locations not on the private network.¦"
        " Tymnet was also connected to dozens of other public networks in the U.S. and internationally"
        " via X.25/X.75 gateways.¦"
        " (Interesting note: Tymnet was not named after Mr. Tyme.¦"
        " Another employee suggested the name.)",
    ),
    (
        "squad/Scottish_Parliament#4",
        "Under the terms of the Scotland Act 1978, an elected assembly would be set up in Edinburgh"
        " provided that the majority of the Scottish electorate voted for it in a referendum to be held"
        " on 1 March 1979 that represented at least 40% of the total electorate.¦"
        " The 1979 Scottish devolution referendum to establish a devolved Scottish Assembly failed.¦"
        " Although the vote was 51.6% in favour of a Scottish Assembly, this figure did not equal the"
        " 40% of the total electorate threshold deemed necessary to pass the measure, as 32.9% of the"
        " eligible voting population did not, or had been unable to, vote.",
    ),
    (
        "squad/Yuan_dynasty#26",
        "The Yuan undertook extensive public works.¦"
        " Among Kublai Khan's top engineers and scientists was the astronomer Guo Shoujing, who was"
        " tasked with many public works projects and helped the Yuan reform the lunisolar calendar to"
        " provide an accuracy of 365.2425 days of the year, which was only 26 seconds off the modern"
        " Gregorian calendar's measurement.¦"
        " Road and water communications were reorganized and improved.¦"
        " To provide against possible famines, granaries were ordered built throughout the empire.¦"
        " The city of Beijing was rebuilt with new palace grounds that included artificial lakes, hills"
        " and mountains, and parks.¦"
        " During the Yuan period, Beijing became the terminus of the Grand Canal of China, which was"
        " completely renovated.¦"
        " These commercially oriented improvements encouraged overland and maritime commerce throughout"
        " Asia and facilitated direct Chinese contacts with Europe.¦"
        " Chinese travelers to the West were able to provide assistance in such areas as hydraulic"
        " engineering.¦"
        " Contacts with the West also brought the introduction to China of a major food crop, sorghum,"
        " along with other foreign food products and methods of preparation.",
    ),
]

# labelled after the rules were written, from texts they had not been tried on (two PDF pages as pypdf
# extracts them, hard-wrapped with trailing spaces)
HELD_OUT: list[tuple[str, str]] = [
    (
        "squad/French_and_Indian_War#8",
        "The French population numbered about 75,000 and was heavily concentrated along the St. Lawrence"
        " River valley, with some also in Acadia (present-day New Brunswick and parts of Nova Scotia,"
        " including Île Royale (present-day Cape Breton Island)).¦"
        " Fewer lived in New Orleans, Biloxi, Mississippi, Mobile, Alabama and small settlements in the"
        " Illinois Country, hugging the east side of the Mississippi River and its tributaries.¦"
        " French fur traders and trappers traveled throughout the St. Lawrence and Mississippi"
        " watersheds, did business with local tribes, and often married Indian women.¦"
        " Traders married daughters of chiefs, creating high-ranking unions.",
    ),
    (
        "squad/French_and_Indian_War#13",
        "Céloron's expedition force consisted of about 200 Troupes de la marine and 30 Indians.¦"
        " The expedition covered about 3,000 miles (4,800 km) between June and November 1749.¦"
        " It went up the St. Lawrence, continued along the northern shore of Lake Ontario, crossed the"
        " portage at Niagara, and followed the southern shore of Lake Erie.¦"
        " At the Chautauqua Portage (near present-day Barcelona, New York), the expedition moved inland"
        " to the Allegheny River, which it followed to the site of present-day Pittsburgh.¦"
        " There Céloron buried lead plates engraved with the French claim to the Ohio Country.¦"
        " Whenever he encountered British merchants or fur-traders, Céloron informed them of the French"
        " claims on the territory and told them to leave.",
    ),
    (
        "squad/French_and_Indian_War#29",
        "Johnson's expedition was better organized than Shirley's, which was noticed by New France's"
        " governor, the Marquis de Vaudreuil.¦"
        " He had primarily been concerned about the extended supply line to the forts on the Ohio, and"
        " had sent Baron Dieskau to lead the defenses at Frontenac against Shirley's expected attack.¦"
        " When Johnson was seen as the larger threat, Vaudreuil sent Dieskau to Fort St. Frédéric to"
        " meet that threat.¦"
        " Dieskau planned to attack the British encampment at Fort Edward at the upper end of navigation"
        " on the Hudson River, but Johnson had strongly fortified it, and Dieskau's Indian support was"
        " reluctant to attack.¦"
        " The two forces finally met in the bloody Battle of Lake George between Fort Edward and Fort"
        " William Henry.¦"
        " The battle ended inconclusively, with both sides withdrawing from the field.¦"
        " Johnson's advance stopped at Fort William Henry, and the French withdrew to Ticonderoga Point,"
        " where they began the construction of Fort Carillon (later renamed Fort Ticonderoga after"
        " British capture in 1759).",
    ),
    (
        "squad/Yuan_dynasty#3",
        "In 1271, Kublai Khan imposed the name Great Yuan (Chinese: 大元; pinyin: Dà Yuán; Wade–Giles:"
        " Ta-Yüan), establishing the Yuan dynasty.¦"
        ' "Dà Yuán" (大元) is from the sentence "大哉乾元" (dà zai Qián Yuán / "Great is Qián, the Primal") in'
        " the Commentaries on the Classic of Changes (I Ching) section regarding Qián (乾).¦"
        " The counterpart in Mongolian language was Dai Ön Ulus, also rendered as Ikh Yuan Üls or Yekhe"
        " Yuan Ulus.¦"
        ' In Mongolian, Dai Ön (Great Yuan) is often used in conjunction with the "Yeke Mongghul Ulus"'
        ' (lit. "Great Mongol State"), resulting in Dai Ön Yeke Mongghul Ulus (Mongolian script: ),'
        ' meaning "Great Yuan Great Mongol State".¦'
        ' The Yuan dynasty is also known as the "Mongol dynasty" or "Mongol Dynasty of China", similar'
        ' to the names "Manchu dynasty" or "Manchu Dynasty of China" for the Qing dynasty.¦'
        ' Furthermore, the Yuan is sometimes known as the "Empire of the Great Khan" or "Khanate of the'
        ' Great Khan", which particularly appeared on some Yuan maps, since Yuan emperors held the'
        " nominal title of Great Khan.¦"
        " Nevertheless, both terms can also refer to the khanate within the Mongol Empire directly ruled"
        " by Great Khans before the actual establishment of the Yuan dynasty by Kublai Khan in 1271.",
    ),
    (
        "squad/Yuan_dynasty#5",
        "Many Han Chinese and Khitan defected to the Mongols to fight against the Jin.¦"
        " Two Han Chinese leaders, Shi Tianze, Liu Heima (劉黑馬, Liu Ni), and the Khitan Xiao Zhala (蕭札剌)"
        " defected and commanded the 3 Tumens in the Mongol army.¦"
        " Liu Heima and Shi Tianze served Ogödei Khan.¦"
        " Liu Heima and Shi Tianxiang led armies against Western Xia for the Mongols.¦"
        " There were 4 Han Tumens and 3 Khitan Tumens, with each Tumen consisting of 10,000 troops.¦"
        " The three Khitan Generals Shimobeidier (石抹孛迭兒), Tabuyir (塔不已兒) and Xiaozhacizhizizhongxi"
        " (蕭札刺之子重喜) commanded the three Khitan Tumens and the four Han Generals Zhang Rou, Yan Shi, Shi"
        " Tianze, and Liu Heima commanded the four Han tumens under Ogödei Khan.",
    ),
    (
        "pdf/react_paper p1 abstract",
        "ABSTRACT¦\n"
        "While large language models (LLMs) have demonstrated impressive performance\n"
        "across tasks in language understanding and interactive decision making, their\n"
        "abilities for reasoning (e.g. chain-of-thought prompting) and acting (e.g. action\n"
        "plan generation) have primarily been studied as separate topics.¦"
        " In this paper, we\n"
        "explore the use of LLMs to generate both reasoning traces and task-speciﬁc actions\n"
        "in an interleaved manner, allowing for greater synergy between the two: reasoning\n"
        "traces help the model induce, track, and update action plans as well as handle\n"
        "exceptions, while actions allow it to interface with and gather additional information\n"
        "from external sources such as knowledge bases or environments.¦"
        " We apply our\n"
        "approach, named ReAct, to a diverse set of language and decision making tasks\n"
        "and demonstrate its effectiveness over state-of-the-art baselines in addition to\n"
        "improved human interpretability and trustworthiness.¦"
        " Concretely, on question\n"
        "answering (HotpotQA) and fact veriﬁcation (Fever), ReAct overcomes prevalent\n"
        "issues of hallucination and error propagation in chain-of-thought reasoning by\n"
        "interacting with a simple Wikipedia API, and generating human-like task-solving\n"
        "trajectories that are more interpretable than baselines without reasoning traces.¦\n"
        "Furthermore, on two interactive decision making benchmarks (ALFWorld and\n"
        "WebShop), ReAct outperforms imitation and reinforcement learning methods by\n"
        "an absolute success rate of 34% and 10% respectively, while being prompted with\n"
        "only one or two in-context examples.",
    ),
    (
        "pdf/sample_pdf_2 p2",
        "A wiki (/ˈwɪki/ (About this soundlisten) WIK-ee) is a hypertext publication collaboratively \n"
        "edited and managed by its own audience directly using a web browser.¦"
        " A typical wiki \n"
        "contains multiple pages for the subjects or scope of the project and may be either open \n"
        "to the public or limited to use within an organization for maintaining its internal knowledge \n"
        "base.¦"
        " Wikis are enabled by wiki software, otherwise known as wiki engines.¦"
        " A wiki engine, \n"
        "being a form of a content management system, diﬀers from other web-based systems \n"
        "such as blog software, in that the content is created without any deﬁned owner or leader, \n"
        "and wikis have little inherent structure, allowing structure to emerge according to the \n"
        "needs of the users.[1]¦"
        " \n"
        "Wiki engines usually allow content to be written using a simpliﬁed markup language and \n"
        "sometimes edited with the help of a rich-text editor.[2]¦"
        " There are dozens of diﬀerent wiki \n"
        "engines in use, both standalone and part of other software, such as bug tracking \n"
        "systems.¦"
        " Some wiki engines are open source, whereas others are proprietary.¦"
        " Some \n"
        "permit control over diﬀerent functions (levels of access); for example, editing rights may \n"
        "permit changing, adding, or removing material.¦"
        " Others may permit access without \n"
        "enforcing access control.¦"
        " Other rules may be imposed to organize content.¦"
        " The online \n"
        "encyclopedia project Wikipedia is the most popular wiki-based website, and is one of the \n"
        "most widely viewed sites in the world, having been ranked in the top ten since 2007.[3]¦"
        " \n"
        "Wikipedia is not a single wiki but rather a collection of hundreds of wikis, with each one \n"
        "pertaining to a speciﬁc language.¦"
        " In addition to Wikipedia, there are hundreds of \n"
        "thousands of other wikis in use, both public and private, including wikis functioning as \n"
        "knowledge management resources, notetaking tools, community websites, and intranets.¦"
        " \n"
        "The English-language Wikipedia has the largest collection of articles: as of February 2020, \n"
        "it has over 6 million articles.¦"
        " \n"
        "Ward Cunningham, the developer of the ﬁrst wiki software, WikiWikiWeb, originally \n"
        'described wiki as "the simplest online database that could possibly work."[4]¦'
        " \n"
        '"Wiki" (pronounced [ˈwiki][note 1]) is a Hawaiian word meaning "quick."[5][6][7]',
    ),
    (
        "pdf/sample_pdf_1 p1",
        "Format (PDF) Adobe Systems made the PDF speciﬁcation available free of \n"
        "charge in 1993.¦"
        " In the early years PDF was popular mainly in desktop \n"
        "publishing workﬂows, and competed with a variety of formats such as DjVu, \n"
        "Envoy, Common Ground Digital Paper, Farallon Replica and even Adobe's \n"
        "own PostScript format.¦"
        " PDF was a proprietary format controlled by Adobe \n"
        "until it was released as an open standard on July 1, 2008, and published by \n"
        "the International Organization for Standardization as ISO 32000-1:2008, at \n"
        "which time control of the speciﬁcation passed to an ISO Committee of \n"
        "volunteer industry experts.¦"
        " In 2008, Adobe published a Public Patent License \n"
        "to ISO 32000-1 granting royalty-free rights for all patents owned by Adobe \n"
        "that are necessary to make, use, sell, and distribute PDF-compliant \n"
        "implementations.¦"
        " PDF 1.7, the sixth edition of the PDF speciﬁcation that \n"
        "became ISO 32000-1, includes some proprietary technologies deﬁned only by \n"
        "Adobe, such as Adobe XML Forms Architecture (XFA) and JavaScript \n"
        "extension for Acrobat, which are referenced by ISO 32000-1 as normative \n"
        "and indispensable for the full implementation of the ISO 32000-1 \n"
        "speciﬁcation.¦"
        " These proprietary technologies are not standardized and their \n"
        "speciﬁcation is published only on Adobe's website.¦"
        " Many of them are also not \n"
        "supported by popular third-party implementations of PDF.",
    ),
]

MADE_UP: list[tuple[str, str]] = [
    (
        "made-up/abbreviations",
        "Dr. Patel, the registered manager, said staffing had improved since Jan. 2021.¦"
        " Mr. and Mrs. Jones, who live at No. 4, agreed.¦"
        " The home is on St. John's Road, approx. 2 miles from the hospital.¦"
        " Staff followed the guidance, e.g. on hand hygiene, and the audit (see Fig. 3 on p. 12) found no gaps.¦"
        " Smith et al. reported similar findings in 2019.¦"
        " Ratings were compared year vs. year, i.e. like for like.¦"
        " Prof. Green and Rev. Brown sat on the panel.¦"
        " People said No.¦ Staff had not asked them.¦",
    ),
    (
        "made-up/initials-and-acronyms",
        "The report was written by J. Smith and A. B. Jones for the U.K. Department of Health.¦"
        " Funding came from the U.S.¦"
        " The U.K. followed later.¦"
        " A U.S. Senate committee also asked questions.¦"
        " E. coli was found in one kitchen.¦"
        " Inspectors returned at 9 a.m. the next day.¦"
        " The visit ended at 5 p.m.¦"
        " Staff then went home.¦"
        " See Annex B.¦"
        " The provider must act.¦",
    ),
    (
        "made-up/numbers",
        "Waiting times rose from 2.5 to 3.5 hours (see section 4.2).¦"
        " Section 2.1 sets out the method.¦"
        " Occupancy was 95.4%.¦"
        " 12 of the 45 people had dementia.¦"
        " The trust spent £3.2m.¦"
        " £1.1m of it was saved.¦"
        " Police used s. 136 twice.¦"
        " Version 1.2.3 of the policy was current.¦"
        " The visit was in Oct. 2021.¦"
        " 2022 was better.¦",
    ),
    (
        "made-up/quotes-and-brackets",
        'The manager said, "We are proud of our staff."¦'
        " Inspectors agreed.¦"
        ' "Is this safe?" one relative asked.¦'
        " Another said the food was ‘always cold.’¦"
        " (The kitchen audit was late.)¦"
        " Records were complete [see Appendix 2].¦"
        " One relative told us, “The staff are wonderful.”¦"
        " “They listen,” another said.¦"
        " **Safe**: staff were trained.¦"
        " *Effective*: care plans were reviewed.¦",
    ),
    (
        "made-up/punctuation",
        "What went well?¦"
        " Staff knew people well!¦"
        " Some areas needed work…¦"
        " Others did not.¦"
        " Staff said they were tired... but happy.¦"
        " The home is run by Acme Care Ltd.¦"
        " The company also runs two homes in Co. Durham.¦"
        " Equipment, furniture, etc. were replaced.¦"
        " Bedding, towels, etc.¦"
        " Both were checked.¦"
        " This is set out in Part II.¦"
        " The next part covers staffing.¦",
    ),
    (
        "made-up/wrapped-capitals",
        "Care was provided by the\nNHS in 2020.¦"
        " We spoke with the Registered Manager, the Nominated Individual and\n"
        "Care Quality Commission staff who had visited in March.¦"
        " They told us the home had 32 beds on two floors and that it was part of\n"
        "Acme Care Homes Limited.¦"
        " The provider had written to the\nLocal Authority about staffing.¦",
    ),
    (
        "made-up/lists",
        "Key findings¦\n\n"
        "1. Staff were kind and caring.¦ People said so.¦\n"
        "2. Medicines were managed safely.¦\n"
        "3. Records were not always complete¦\n\n"
        "We also found:¦\n"
        "- care plans were reviewed monthly¦\n"
        "- two fire doors did not close¦",
    ),
    (
        "made-up/headings-without-blank-lines",
        "Safe¦\n"
        "Staff were trained in safeguarding.¦ They knew how to raise concerns.¦\n"
        "Effective¦\n"
        "Care plans were reviewed monthly.¦",
    ),
]


def wrap_marked(marked: str, width: int, *, lazy: bool = False) -> str:
    """Hard-wrap every line of a marked text at `width` columns, carrying the marks over: a list item's
    continuation lines are indented under its text (or not at all when `lazy`, as Markdown allows)."""
    out: list[str] = []
    for line in marked.split("\n"):
        plain = line.replace(MARK, "")
        if not plain.strip():
            out.append(line)
            continue
        indent = plain[: len(plain) - len(plain.lstrip())]
        marker = plain[len(indent) : bullet_marker_length(plain)] if bullet_marker_length(plain) else ""
        body = plain[len(indent) + len(marker) :]
        rest = indent if lazy else indent + " " * len(marker)
        wrapped = textwrap.fill(
            " ".join(body.split()),
            width,
            initial_indent=indent + marker,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.append(_carry_marks(line, wrapped))
    return "\n".join(out)


def _carry_marks(marked: str, wrapped: str) -> str:
    """Put the marks of `marked` into `wrapped` (same text, other white space) after the same character."""
    marks: list[int] = []
    seen = 0
    for char in marked:
        if char == MARK:
            marks.append(seen)
        elif not char.isspace():
            seen += 1
    result: list[str] = []
    seen = 0
    for char in wrapped:
        result.append(char)
        if not char.isspace():
            seen += 1
            while marks and marks[0] == seen:
                result.append(MARK)
                marks.pop(0)
    return "".join(result) + MARK * len(marks)


def gold_set() -> list[tuple[str, str, set[int]]]:
    """(name, text, sentence-end offsets) for the real and made-up texts and their hard-wrapped copies."""
    real = dict(REAL)
    wrapped = [
        ("squad/1973_oil_crisis#16 @72", wrap_marked(real["squad/1973_oil_crisis#16"], 72)),
        ("squad/Huguenot#2 @72", wrap_marked(real["squad/Huguenot#2"], 72)),
        ("squad/Huguenot#43 @60", wrap_marked(real["squad/Huguenot#43"], 60)),
        ("squad/Imperialism#14 @60", wrap_marked(real["squad/Imperialism#14"], 60)),
        ("squad/Packet_switching#16 @72", wrap_marked(real["squad/Packet_switching#16"], 72)),
        ("cqc/collaborating @72", wrap_marked(real["cqc/collaborating"], 72)),
        ("sample.md @72", wrap_marked(real["sample.md"], 72)),
        ("sample.md @60 lazy", wrap_marked(real["sample.md"], 60, lazy=True)),
        ("made-up/abbreviations @72", wrap_marked(dict(MADE_UP)["made-up/abbreviations"], 72)),
        ("made-up/initials-and-acronyms @60", wrap_marked(dict(MADE_UP)["made-up/initials-and-acronyms"], 60)),
        ("made-up/quotes-and-brackets @72", wrap_marked(dict(MADE_UP)["made-up/quotes-and-brackets"], 72)),
    ]
    items = [*REAL, *MADE_UP, *wrapped, *(("held-out/" + name, marked) for name, marked in HELD_OUT)]
    result = []
    for name, marked in items:
        text = marked.replace(MARK, "")
        ends: set[int] = set()
        removed = 0
        for index, char in enumerate(marked):
            if char == MARK:
                ends.add(index - removed)
                removed += 1
        ends.discard(len(text.rstrip()))
        result.append((name, text, ends))
    return result


# --- candidates -----------------------------------------------------------------------------

_OLD_BOUNDARY = re.compile(r"(?<=[.!?…])(?P<close>[\"'”’)\]]*)[ \t]+(?=[\"'“‘(\[]?[A-Z0-9£$€])|\n+")
_OLD_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "Dr.", "Mr.", "Mrs.", "Ms.", "St.", "No.", "approx.", "Fig.")


def regex_before(text: str, start: int, end: int) -> Spans:
    """The splitter ingest used before: a full stop and a capital, or any line break."""
    spans: Spans = []
    cursor = start
    for match in _OLD_BOUNDARY.finditer(text, start, end):
        close = match.group("close")
        if close is not None and text[max(0, match.start() - 8) : match.start()].endswith(_OLD_ABBREVIATIONS):
            continue
        spans.append((cursor, match.start() + len(close or "")))
        cursor = match.end()
    spans.append((cursor, end))
    return _trimmed(text, spans)


def _trimmed(text: str, spans: Spans) -> Spans:
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            result.append((start, end))
    return result


def _pysbd() -> Callable[[str], Spans]:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(span.start, span.end) for span in segmenter.segment(text)]


def _syntok() -> Callable[[str], Spans]:
    from syntok import segmenter

    def split(text: str) -> Spans:
        return [
            (sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
            for paragraph in segmenter.analyze(text)
            for sentence in paragraph
        ]

    return split


def _blingfire() -> Callable[[str], Spans]:
    import blingfire

    return lambda text: list(blingfire.text_to_sentences_and_offsets(text)[1]) if text.strip() else []


def raw(library: Callable[[str], Spans]) -> Segmenter:
    """A library on the text as it is, line breaks and all."""

    def segment(text: str, start: int, end: int) -> Spans:
        return _trimmed(text, [(start + a, start + b) for a, b in library(text[start:end])])

    return segment


def on_pieces(library: Callable[[str], Spans], veto: bool = False) -> Segmenter:
    """A library on the pieces the rules cut at hard boundaries, line breaks inside a piece made spaces;
    with `veto`, a library boundary after a full stop is dropped where the rules see an abbreviation."""

    def segment(text: str, start: int, end: int) -> Spans:
        spans: Spans = []
        for piece_start, piece_end in _pieces(text, start, end):
            piece_start += _marker_length(text, piece_start, piece_end)
            flat = re.sub(r"\s", " ", text[piece_start:piece_end])
            found = _trimmed(text, [(piece_start + a, piece_start + b) for a, b in library(flat)])
            if veto:
                found = _merge_vetoed(text, found, piece_start)
            spans.extend(found)
        return spans

    return segment


_FULL_STOP = re.compile(r"(?P<marks>\.)[\"'”’»)\]]*$")


def _merge_vetoed(text: str, spans: Spans, start: int) -> Spans:
    merged: Spans = []
    for span in spans:
        if merged:
            match = _FULL_STOP.search(text, merged[-1][0], merged[-1][1])
            if match and not _ends_sentence(text, start, match, span[0]):
                merged[-1] = (merged[-1][0], span[1])
                continue
        merged.append(span)
    return merged


def candidates() -> dict[str, Segmenter]:
    """Every segmenter to compare; a library that is not installed is left out with a note."""
    found: dict[str, Segmenter] = {"regex (before)": regex_before}
    libraries: dict[str, Callable[[], Callable[[str], Spans]]] = {
        "pysbd": _pysbd,
        "syntok": _syntok,
        "blingfire": _blingfire,
    }
    loaded = {}
    for name, load in libraries.items():
        try:
            loaded[name] = load()
        except ImportError:
            print(f"({name} is not installed: left out)")
    for name, split in loaded.items():
        found[name] = raw(split)
    for name, split in loaded.items():
        found[f"{name} + pieces"] = on_pieces(split)
    if "blingfire" in loaded:
        found["blingfire + pieces + veto"] = on_pieces(loaded["blingfire"], veto=True)
    found["rules (ingest.sentences)"] = sentence_spans
    return found


# --- measuring ------------------------------------------------------------------------------


def accuracy(segment: Segmenter, gold: list[tuple[str, str, set[int]]]) -> tuple[int, int, int, list[str]]:
    """True positives, false positives and false negatives over all texts, with a line per error."""
    hits = extra = missed = 0
    errors: list[str] = []
    for name, text, ends in gold:
        found = {end for _, end in segment(text, 0, len(text))}
        found.discard(len(text.rstrip()))
        hits += len(found & ends)
        for kind, offsets in (("split", found - ends), ("missed", ends - found)):
            for offset in sorted(offsets):
                errors.append(
                    f"{name}: {kind} ...{' '.join(text[max(0, offset - 50) : offset].split())} | "
                    f"{' '.join(text[offset : offset + 30].split())}..."
                )
        extra += len(found - ends)
        missed += len(ends - found)
    return hits, extra, missed, errors


def speed_blocks() -> list[tuple[str, int, int]]:
    """Every non-furniture block of the real documents and of their copies hard-wrapped at 72 columns."""
    texts: list[tuple[str, bool]] = []
    for path in sorted([*(SHARED / "corpus").glob("*.txt"), *(SHARED / "eval" / "squad" / "docs").glob("*.txt")]):
        text = path.read_text(encoding="utf-8")
        texts += [(text, False), ("\n\n".join(textwrap.fill(p, 72) for p in text.split("\n\n")), False)]
    markdown = (SHARED / "realdocs" / "sample.md").read_text(encoding="utf-8")
    texts.append((markdown, True))
    blocks = []
    for text, is_markdown in texts:
        for block in segment_markdown(text) if is_markdown else segment_plain_text(text):
            if block.kind != "furniture":
                blocks.append((text, block.start, block.end))
    return blocks


def throughput(segment: Segmenter, blocks: list[tuple[str, int, int]], sentences: int) -> float:
    """Sentences per second over all blocks (best of a few rounds, at least half a second each)."""
    best = float("inf")
    for _ in range(3):
        rounds, began = 0, time.perf_counter()
        while True:
            for text, start, end in blocks:
                segment(text, start, end)
            rounds += 1
            elapsed = time.perf_counter() - began
            if elapsed > 0.5:
                break
        best = min(best, elapsed / rounds)
    return sentences / best


def main() -> None:
    gold = gold_set()
    subsets = {
        "real": [item for item in gold if not item[0].startswith(("made-up/", "held-out/"))],
        "made-up": [item for item in gold if item[0].startswith("made-up/")],
        "held-out": [item for item in gold if item[0].startswith("held-out/")],
    }
    blocks = speed_blocks()
    sentences = sum(len(sentence_spans(text, start, end)) for text, start, end in blocks)
    for label, items in subsets.items():
        print(f"{label}: {len(items)} texts, {sum(len(ends) for _, _, ends in items)} sentence boundaries")
    print(f"speed: {len(blocks)} blocks, {sentences} sentences, one block per call")
    header = "".join(f" {'P ' + label[:4]:>7} {'R ' + label[:4]:>7}" for label in subsets)
    print(f"{'segmenter':27}{header} {'P all':>6} {'R all':>6} {'F1 all':>6} {'sentences/s':>12}")
    for name, segment in candidates().items():
        row = f"{name:27}"
        totals = [0, 0, 0]
        errors: list[str] = []
        for items in subsets.values():
            hits, extra, missed, found_errors = accuracy(segment, items)
            totals = [totals[0] + hits, totals[1] + extra, totals[2] + missed]
            errors += found_errors
            row += f" {_ratio(hits, hits + extra):7.3f} {_ratio(hits, hits + missed):7.3f}"
        precision, recall = _ratio(totals[0], totals[0] + totals[1]), _ratio(totals[0], totals[0] + totals[2])
        f1 = _ratio(2 * precision * recall, precision + recall)
        rate = throughput(segment, blocks, sentences)
        print(f"{row} {precision:6.3f} {recall:6.3f} {f1:6.3f} {rate:12,.0f}")
        if "--errors" in sys.argv:
            for line in errors:
                print("    " + line)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


if __name__ == "__main__":
    main()
