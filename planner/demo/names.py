"""Names, phone ranges and short texts that the demo patients are built from.

Names are grouped by origin so a generated person mostly has a given and a family
name that belong together. Phone numbers come from the UK ranges Ofcom keeps for
drama and fiction, so none of them reaches a real person.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NameGroup:
    """Given names by sex and family names from one origin, with its share."""

    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]

    @classmethod
    def of(cls, weight: float, female: str, male: str, family: str) -> "NameGroup":
        """Build a group from comma-separated name lists."""
        return cls(weight, _split(female), _split(male), _split(family))


def _split(names: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in names.split(","))


NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup.of(
        0.4,
        (
            "Olivia, Emily, Sophie, Charlotte, Hannah, Margaret, Susan, Rachel, "
            "Claire, Joanne, Niamh, Siobhan, Fiona, Eleanor, Ruth, Alison, Gemma, "
            "Catherine, Jennifer, Lucy"
        ),
        (
            "James, Oliver, Thomas, William, David, Robert, Michael, Andrew, "
            "Stephen, Peter, Ciaran, Sean, Callum, Gareth, Richard, Matthew, "
            "Daniel, Ian, Graham, Owen"
        ),
        (
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Davies, Evans, Thomas, "
            "Roberts, Walker, Wright, Thompson, Hughes, Green, Hall, Wood, Clarke, "
            "Murphy, O'Brien, Kelly, MacDonald, Campbell, Stewart, Fraser, Morgan, "
            "Price, Harrison, Baker, Turner"
        ),
    ),
    NameGroup.of(
        0.12,
        (
            "Priya, Ananya, Aisha, Fatima, Sunita, Kavya, Meera, Nusrat, Farzana, "
            "Simran, Harpreet, Lakshmi, Divya, Zainab"
        ),
        (
            "Arjun, Rahul, Sanjay, Imran, Mohammed, Vikram, Amit, Rajesh, Harjit, "
            "Tariq, Kamal, Suresh, Anil, Bilal"
        ),
        (
            "Patel, Sharma, Singh, Kaur, Khan, Ahmed, Hussain, Gupta, Iyer, Reddy, "
            "Chowdhury, Rahman, Begum, Malik, Nair, Desai, Mehta, Joshi, Sandhu, "
            "Akhtar"
        ),
    ),
    NameGroup.of(
        0.08,
        (
            "Mei, Xiu Ying, Li Na, Hui, Yan, Jing, Yuki, Haruka, Min-ji, Seo-yeon, "
            "Linh, Thi Mai, Aiko, Ji-woo"
        ),
        (
            "Wei, Jun, Hao, Ming, Jian, Kenji, Hiroshi, Takumi, Min-jun, Seung-ho, "
            "Minh, Duc, Tuan, Ryo"
        ),
        (
            "Wang, Li, Zhang, Chen, Liu, Huang, Wong, Lam, Chan, Tanaka, Suzuki, "
            "Sato, Nakamura, Kim, Park, Lee, Choi, Nguyen, Tran, Pham"
        ),
    ),
    NameGroup.of(
        0.08,
        (
            "Adaeze, Chiamaka, Ngozi, Folake, Abena, Akosua, Amara, Yetunde, "
            "Funmilayo, Efua, Nia, Zawadi, Imani, Kemi"
        ),
        (
            "Chinedu, Emeka, Oluwaseun, Tunde, Kwame, Kofi, Yaw, Femi, Obinna, "
            "Kwabena, Jelani, Baraka, Segun, Babajide"
        ),
        (
            "Okafor, Adeyemi, Okonkwo, Balogun, Mensah, Asante, Boateng, Owusu, "
            "Eze, Nwosu, Adebayo, Oyelaran, Osei, Achebe, Kamau, Otieno, Mwangi, "
            "Njoroge, Danso, Ogunleye"
        ),
    ),
    NameGroup.of(
        0.07,
        (
            "Layla, Yasmin, Noor, Mariam, Salma, Huda, Rania, Leila, Elif, Zeynep, "
            "Shirin, Parisa, Dalia, Amira"
        ),
        (
            "Omar, Ali, Hassan, Youssef, Karim, Khalid, Samir, Tarek, Emre, "
            "Mehmet, Reza, Dariush, Nabil, Ibrahim"
        ),
        (
            "Haddad, Mansour, Khalil, Nasser, Saleh, Aziz, Farouk, Hamdan, Yilmaz, "
            "Demir, Kaya, Sahin, Hosseini, Karimi, Rahimi, Abbasi, El-Sayed, "
            "Darwish, Bakr, Toumi"
        ),
    ),
    NameGroup.of(
        0.07,
        (
            "María, Lucía, Carmen, Sofía, Valentina, Isabel, Ana, Gabriela, "
            "Camila, Daniela, Beatriz, Inês, Joana, Mariana"
        ),
        (
            "José, Carlos, Javier, Miguel, Alejandro, Diego, Pablo, Luis, Mateo, "
            "Santiago, João, Tiago, Rafael, Andrés"
        ),
        (
            "García, Rodríguez, Martínez, López, González, Hernández, Pérez, "
            "Sánchez, Ramírez, Torres, Flores, Morales, Silva, Santos, Oliveira, "
            "Pereira, Costa, Ferreira, Álvarez, Ruiz"
        ),
    ),
    NameGroup.of(
        0.07,
        (
            "Agnieszka, Katarzyna, Magdalena, Anna, Zofia, Ewa, Olena, Iryna, "
            "Irina, Natalia, Ioana, Elena, Milena, Jana"
        ),
        (
            "Piotr, Tomasz, Krzysztof, Łukasz, Marek, Paweł, Andriy, Dmytro, "
            "Sergei, Alexei, Bogdan, Radu, Milan, Jakub"
        ),
        (
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kamińska, Lewandowski, "
            "Zielińska, Shevchenko, Kovalenko, Bondarenko, Ivanova, Petrov, "
            "Popescu, Ionescu, Novák, Horvat, Kovač, Dvořák, Szabó, Nagy"
        ),
    ),
    NameGroup.of(
        0.06,
        (
            "Giulia, Francesca, Chiara, Alessandra, Eleni, Maria, Sofia, Katerina, "
            "Dimitra, Rosa, Federica, Paola, Vasiliki, Marta"
        ),
        (
            "Marco, Luca, Giovanni, Alessandro, Matteo, Giorgos, Dimitris, Nikos, "
            "Kostas, Antonio, Francesco, Stefano, Yannis, Paolo"
        ),
        (
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, "
            "Marino, Greco, Papadopoulos, Georgiou, Nikolaidis, Christodoulou, "
            "Konstantinou, Conti, De Luca, Gallo, Fontana, Vlachos"
        ),
    ),
    NameGroup.of(
        0.05,
        (
            "Ingrid, Astrid, Freya, Sigrid, Liv, Anke, Greta, Heike, Sanne, Femke, "
            "Lotte, Saskia, Johanna, Elin"
        ),
        (
            "Lars, Erik, Magnus, Henrik, Anders, Jan, Pieter, Jens, Stefan, Klaus, "
            "Dieter, Sven, Bram, Niels"
        ),
        (
            "Andersson, Johansson, Larsen, Hansen, Nielsen, Jensen, Eriksen, "
            "Müller, Schmidt, Schneider, Fischer, Weber, Becker, de Vries, "
            "van Dijk, Bakker, Janssen, Visser, Lindqvist, Berg"
        ),
    ),
)

# Ofcom's drama ranges: 07700 900000-900999 and the 0000-0999 blocks below.
PHONE_PREFIXES: tuple[str, ...] = (
    "07700 900",
    "07700 900",
    "07700 900",
    "020 7946 0",
    "0161 496 0",
    "0113 496 0",
    "0117 496 0",
    "01632 960",
)

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net")

STREETS: tuple[str, ...] = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
    "Victoria Road",
    "Queens Drive",
    "Orchard Close",
    "Meadow Way",
    "Kings Road",
    "The Crescent",
    "Elm Grove",
    "Willow Walk",
    "Chapel Street",
    "Bridge Street",
)

TOWNS: tuple[str, ...] = (
    "Northbridge",
    "Eastfield",
    "Westhaven",
    "Southmoor",
    "Millbrook",
    "Oakdale",
    "Ashford Green",
    "Riverside",
    "Hillcrest",
    "Stonebury",
)

SURGERY_NOTES: tuple[str, ...] = (
    "After acoustic neuroma (vestibular schwannoma) resection.",
    "After acoustic neuroma resection; eye care advice given.",
    "After superficial parotidectomy for a pleomorphic adenoma.",
    "After total parotidectomy.",
    "After cholesteatoma surgery.",
)

TRAUMA_NOTES: tuple[str, ...] = (
    "Temporal bone fracture after a road traffic collision.",
    "Deep facial laceration; nerve repaired at the time.",
)

GENERAL_NOTES: tuple[str, ...] = (
    "Prefers morning appointments.",
    "Works shifts; books reviews by phone.",
    "Facial retraining with physiotherapy, ongoing.",
    "Needle-anxious: extra time and topical anaesthetic cream.",
    "Hearing loss on the affected side.",
    "Dry eye: uses lubricating drops at night.",
    "Interpreter needed for consent.",
    "Bruises easily; press for longer after injecting.",
)

SESSION_NOTES: tuple[str, ...] = (
    "Eye closure on smiling better since last cycle.",
    "Neck tightness persists; platysma dose raised.",
    "Asked for a lighter touch around the eye.",
    "Bruising at the lateral canthus last time; pressed longer.",
    "Continues facial retraining with physiotherapy.",
    "Chin dimpling much improved.",
    "Cheek tightness when eating; buccinator reviewed.",
)

CONSENT_NOTES: tuple[str, ...] = (
    "Written consent; aftercare leaflet given.",
    "Consent reconfirmed; risks of eyelid droop and lip weakness discussed.",
)
