//! Fictitious people: names drawn from the mix of a US primary-care practice, adult birth
//! dates, sex, preferred language and payer (Medicare for most patients of 65 and over,
//! commercial plans for most younger ones). Phone numbers use the 555-01xx range reserved for
//! fiction and email addresses the reserved `example.com` domain.

use crate::rng::Rng;
use stepwise_domain::ValidationError;
use stepwise_domain::patient::{PatientDetails, PatientInput};
use time::{Date, Duration};

/// Names of one background, and the language its patients most often prefer when not English.
struct Names {
    weight: u32,
    female: &'static [&'static str],
    male: &'static [&'static str],
    family: &'static [&'static str],
    /// A preferred language other than English, and how often (percent).
    language: Option<(&'static str, u32)>,
}

const BACKGROUNDS: &[Names] = &[
    Names {
        weight: 58,
        female: &[
            "Mary",
            "Patricia",
            "Jennifer",
            "Linda",
            "Elizabeth",
            "Barbara",
            "Susan",
            "Jessica",
            "Sarah",
            "Karen",
            "Nancy",
            "Lisa",
            "Betty",
            "Margaret",
            "Sandra",
            "Ashley",
            "Kimberly",
            "Emily",
            "Donna",
            "Michelle",
            "Carol",
            "Amanda",
            "Melissa",
            "Deborah",
            "Stephanie",
            "Rebecca",
            "Laura",
            "Sharon",
            "Cynthia",
            "Kathleen",
            "Amy",
            "Angela",
            "Helen",
            "Anna",
            "Brenda",
            "Pamela",
            "Nicole",
            "Samantha",
            "Katherine",
            "Christine",
            "Rachel",
            "Carolyn",
            "Janet",
            "Heather",
            "Diane",
            "Ruth",
            "Julie",
            "Olivia",
            "Joyce",
            "Victoria",
            "Kelly",
            "Lauren",
            "Megan",
            "Andrea",
            "Hannah",
            "Martha",
            "Gloria",
            "Teresa",
            "Madison",
            "Abigail",
            "Alice",
            "Judy",
            "Grace",
            "Denise",
            "Amber",
            "Danielle",
            "Beverly",
            "Natalie",
            "Brittany",
            "Charlotte",
            "Kayla",
            "Molly",
            "Erin",
        ],
        male: &[
            "James",
            "Robert",
            "John",
            "Michael",
            "David",
            "William",
            "Richard",
            "Joseph",
            "Thomas",
            "Christopher",
            "Charles",
            "Daniel",
            "Matthew",
            "Anthony",
            "Mark",
            "Donald",
            "Steven",
            "Paul",
            "Andrew",
            "Joshua",
            "Kenneth",
            "Kevin",
            "Brian",
            "George",
            "Timothy",
            "Ronald",
            "Edward",
            "Jason",
            "Jeffrey",
            "Ryan",
            "Jacob",
            "Gary",
            "Nicholas",
            "Eric",
            "Jonathan",
            "Stephen",
            "Larry",
            "Justin",
            "Scott",
            "Brandon",
            "Benjamin",
            "Samuel",
            "Gregory",
            "Frank",
            "Alexander",
            "Raymond",
            "Patrick",
            "Jack",
            "Dennis",
            "Jerry",
            "Tyler",
            "Aaron",
            "Henry",
            "Adam",
            "Douglas",
            "Nathan",
            "Peter",
            "Zachary",
            "Kyle",
            "Walter",
            "Harold",
            "Jeremy",
            "Ethan",
            "Carl",
            "Keith",
            "Roger",
        ],
        family: &[
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Martin",
            "Thompson",
            "White",
            "Harris",
            "Clark",
            "Lewis",
            "Walker",
            "Young",
            "Allen",
            "King",
            "Wright",
            "Scott",
            "Hill",
            "Green",
            "Adams",
            "Baker",
            "Nelson",
            "Carter",
            "Mitchell",
            "Roberts",
            "Turner",
            "Phillips",
            "Campbell",
            "Parker",
            "Evans",
            "Edwards",
            "Collins",
            "Stewart",
            "Morris",
            "Murphy",
            "Cook",
            "Rogers",
            "Morgan",
            "Cooper",
            "Peterson",
            "Reed",
            "Bailey",
            "Bell",
            "Kelly",
            "Howard",
            "Ward",
            "Cox",
            "Richardson",
            "Wood",
            "Watson",
            "Bennett",
            "Gray",
            "Hughes",
            "Price",
            "Sanders",
            "Myers",
            "Long",
            "Ross",
            "Foster",
            "O'Brien",
            "McCarthy",
            "Sullivan",
            "Kowalski",
            "Novak",
            "Schmidt",
            "DeLuca",
            "Russo",
            "Romano",
            "Fitzgerald",
            "Lindgren",
            "Larsen",
            "Hoffmann",
            "Byrne",
            "Gallagher",
            "Walsh",
        ],
        language: None,
    },
    Names {
        weight: 16,
        female: &[
            "María",
            "Ana",
            "Rosa",
            "Carmen",
            "Guadalupe",
            "Sofía",
            "Lucía",
            "Elena",
            "Marisol",
            "Yesenia",
            "Gabriela",
            "Daniela",
            "Verónica",
            "Alejandra",
            "Isabel",
            "Leticia",
            "Mónica",
            "Patricia",
            "Adriana",
            "Juana",
        ],
        male: &[
            "José",
            "Juan",
            "Luis",
            "Carlos",
            "Miguel",
            "Jorge",
            "Alejandro",
            "Javier",
            "Raúl",
            "Héctor",
            "Francisco",
            "Antonio",
            "Manuel",
            "Pedro",
            "Ricardo",
            "Fernando",
            "Roberto",
            "Eduardo",
            "Andrés",
            "Diego",
        ],
        family: &[
            "García",
            "Rodríguez",
            "Martínez",
            "Hernández",
            "López",
            "González",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
            "Flores",
            "Rivera",
            "Gómez",
            "Díaz",
            "Reyes",
            "Morales",
            "Cruz",
            "Ortiz",
            "Gutiérrez",
            "Chávez",
            "Ramos",
            "Vásquez",
            "Castillo",
            "Jiménez",
            "Mendoza",
            "Ruiz",
            "Álvarez",
            "Romero",
            "Herrera",
            "Medina",
            "Aguilar",
            "Vargas",
            "Castro",
            "Núñez",
            "Peña",
        ],
        language: Some(("es", 55)),
    },
    Names {
        weight: 12,
        female: &[
            "Aaliyah",
            "Imani",
            "Keisha",
            "Latoya",
            "Jasmine",
            "Tasha",
            "Ebony",
            "Monique",
            "Tiana",
            "Shanice",
            "Dominique",
            "Yolanda",
            "Tamika",
            "Kiara",
            "Alicia",
        ],
        male: &[
            "Darnell", "Jamal", "Tyrone", "DeShawn", "Marcus", "Andre", "Terrence", "Malik",
            "Jerome", "Cedric", "Darius", "Reginald", "Isaiah", "Curtis", "Lamar",
        ],
        family: &[
            "Washington",
            "Jefferson",
            "Jackson",
            "Robinson",
            "Coleman",
            "Banks",
            "Freeman",
            "Gaines",
            "Booker",
            "Mosley",
            "Dorsey",
            "Battle",
            "Whitaker",
            "Holloway",
            "Pryor",
            "Simmons",
            "Bryant",
            "Graves",
            "McCoy",
            "Tate",
        ],
        language: None,
    },
    Names {
        weight: 4,
        female: &[
            "Linh", "Huong", "Lan", "Mai", "Hoa", "Thao", "Ngoc", "Trang",
        ],
        male: &[
            "Minh", "Thanh", "Tuan", "Anh", "Duc", "Hung", "Quang", "Long",
        ],
        family: &[
            "Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do",
        ],
        language: Some(("vi", 45)),
    },
    Names {
        weight: 4,
        female: &["Mei", "Hui", "Ying", "Xiu", "Lan", "Fang", "Jing", "Yan"],
        male: &["Wei", "Jun", "Jian", "Hao", "Ming", "Lei", "Bo", "Qiang"],
        family: &[
            "Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Lin", "Wu", "Zhou", "Xu",
        ],
        language: Some(("zh", 40)),
    },
    Names {
        weight: 2,
        female: &[
            "Widline",
            "Roselande",
            "Fabiola",
            "Nadège",
            "Mirlande",
            "Guerline",
        ],
        male: &[
            "Jacques",
            "Ricardo",
            "Wilner",
            "Frantz",
            "Jean-Claude",
            "Evens",
        ],
        family: &[
            "Jean-Baptiste",
            "Pierre",
            "Joseph",
            "Louis",
            "Charles",
            "Étienne",
            "Toussaint",
            "Desir",
            "Francois",
            "Alexis",
        ],
        language: Some(("ht", 45)),
    },
    Names {
        weight: 2,
        female: &["Fatima", "Layla", "Amira", "Nadia", "Samira", "Rania"],
        male: &["Omar", "Ahmed", "Youssef", "Karim", "Tariq", "Samir"],
        family: &[
            "Khalil", "Hassan", "Ali", "Mansour", "Saleh", "Nasser", "Aziz", "Farah",
        ],
        language: Some(("ar", 40)),
    },
    Names {
        weight: 2,
        female: &[
            "Beatriz", "Gabriela", "Fernanda", "Larissa", "Juliana", "Camila",
        ],
        male: &["João", "Pedro", "Rafael", "Thiago", "Lucas", "Gustavo"],
        family: &[
            "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida",
        ],
        language: Some(("pt", 40)),
    },
];

const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Elm",
    "River",
    "Mill",
    "Church",
    "Main",
    "Park",
    "Lake",
    "Hill",
    "Cedar",
    "Pine",
    "Washington",
    "Lincoln",
    "Chestnut",
    "Orchard",
    "Prospect",
    "Highland",
    "Spring",
    "Union",
];
const STREET_KINDS: &[&str] = &["St", "Ave", "Rd", "Ln", "Dr", "Ct", "Pl"];
const TOWNS: &[&str] = &[
    "Riverside",
    "Eastgate",
    "Millbrook",
    "North Riverside",
    "Fairview",
];
const AREA_CODES: &[&str] = &["315", "347", "518", "585", "607", "716", "845", "914"];

const MEDICARE_ADVANTAGE: &[&str] = &[
    "Humana Gold Plus",
    "AARP Medicare Advantage",
    "Aetna Medicare",
    "Wellcare",
];
const COMMERCIAL: &[&str] = &[
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Excellus BlueCross",
    "MVP Health Care",
];
const MEDICAID: &[&str] = &["Medicaid", "Fidelis Care (Medicaid)"];

/// A fictitious person.
pub(crate) struct Person {
    pub(crate) input: PatientInput,
}

/// Lower-case ASCII letters of a name, for an email address.
fn ascii(name: &str) -> String {
    stepwise_domain::patient::normalize_query(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Ages of adult primary-care patients seen for depression and anxiety (≈ 35 % of 65 and over).
fn age(rng: &mut Rng) -> i32 {
    let (lo, hi) = *rng.weighted(&[
        ((19, 29), 12),
        ((30, 44), 22),
        ((45, 64), 31),
        ((65, 79), 27),
        ((80, 92), 8),
    ]);
    rng.int(lo, hi) as i32
}

/// A person born `age` years before `today` (a random day of that year of life).
pub(crate) fn person(rng: &mut Rng, today: Date, mrn: &str) -> Person {
    let backgrounds: Vec<(&Names, u32)> = BACKGROUNDS.iter().map(|b| (b, b.weight)).collect();
    let background = *rng.weighted(&backgrounds);
    let sex = *rng.weighted(&[("female", 62), ("male", 37), ("other", 1)]);
    let given = match sex {
        "male" => *rng.pick(background.male),
        "female" => *rng.pick(background.female),
        _ => {
            let names = if rng.chance(0.5) {
                background.female
            } else {
                background.male
            };
            *rng.pick(names)
        }
    };
    let family = *rng.pick(background.family);
    let age = age(rng);
    let birth_date =
        today - Duration::days(i64::from(age) * 365 + rng.int(5 + i64::from(age / 4), 360));
    let language = match background.language {
        Some((tag, percent)) if rng.chance(f64::from(percent) / 100.0) => tag,
        _ => "en",
    };
    let (payer_kind, payer_name) = if age >= 65 {
        match *rng.weighted(&[(0, 66), (1, 27), (2, 4), (3, 3)]) {
            0 => ("medicare", Some("Medicare Part B")),
            1 => ("medicare_advantage", Some(*rng.pick(MEDICARE_ADVANTAGE))),
            2 => ("commercial", Some(*rng.pick(COMMERCIAL))),
            _ => ("medicaid", Some(*rng.pick(MEDICAID))),
        }
    } else {
        match *rng.weighted(&[(0, 68), (1, 19), (2, 5), (3, 4), (4, 4)]) {
            0 => ("commercial", Some(*rng.pick(COMMERCIAL))),
            1 => ("medicaid", Some(*rng.pick(MEDICAID))),
            2 => ("self_pay", None),
            3 => ("medicare", Some("Medicare Part B")),
            _ => ("other", Some("TRICARE")),
        }
    };
    let phone = rng
        .chance(0.95)
        .then(|| format!("({}) 555-01{:02}", rng.pick(AREA_CODES), rng.int(0, 99)));
    let email = rng.chance(0.6).then(|| {
        format!(
            "{}.{}{}@example.com",
            ascii(given),
            ascii(family),
            rng.int(1, 99)
        )
    });
    let address = rng.chance(0.85).then(|| {
        format!(
            "{} {} {}, {}",
            rng.int(2, 2400),
            rng.pick(STREETS),
            rng.pick(STREET_KINDS),
            rng.pick(TOWNS)
        )
    });
    Person {
        input: PatientInput {
            mrn: mrn.to_owned(),
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            birth_date: birth_date.to_string(),
            sex: sex.to_owned(),
            phone,
            email,
            address,
            preferred_language: Some(language.to_owned()),
            payer_kind: Some(payer_kind.to_owned()),
            payer_name: payer_name.map(str::to_owned),
            ..Default::default()
        },
    }
}

impl Person {
    /// The demographics, parsed by the domain as a form's would be.
    pub(crate) fn details(&self, today: Date) -> Result<PatientDetails, ValidationError> {
        self.input.parse(today)
    }

    pub(crate) fn name_key(&self) -> (String, String) {
        (
            self.input.family_name.clone(),
            self.input.given_name.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepwise_domain::patient::age_on;
    use time::macros::date;

    #[test]
    fn people_are_valid_adults() {
        let today = date!(2026 - 11 - 27);
        let mut rng = Rng::new(11, 0);
        let mut medicare_65 = 0;
        let mut over_65 = 0;
        for i in 0..500 {
            let p = person(&mut rng, today, &format!("T-{i}"));
            let d = p.details(today).unwrap();
            let age = age_on(d.birth_date, today);
            assert!((19..=92).contains(&age), "{age}");
            if age >= 65 {
                over_65 += 1;
                medicare_65 += u32::from(matches!(
                    d.payer_kind.map(|k| k.code()),
                    Some("medicare" | "medicare_advantage")
                ));
            }
        }
        assert!(medicare_65 * 10 > over_65 * 8, "{medicare_65}/{over_65}");
    }
}
