//! Plausible names: people (surnames weighted as in China), towns, villages, units.

use rand::Rng;
use rand::seq::IndexedRandom;

/// Common surnames, most frequent first (weights fall off with rank).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚",
    "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康", "毛", "邱", "秦", "江", "史",
    "欧阳", "司马",
];

const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宁", "建", "国", "志", "文", "俊", "峰", "林", "春", "海", "亮", "成", "东", "兵",
];

const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "桂", "兰", "燕", "萍", "红",
    "梅", "琳", "雪", "慧", "婷", "洁", "倩", "翠", "琴", "云", "莉", "凤", "珍", "华", "妮", "晶",
];

pub fn surname(rng: &mut impl Rng) -> &'static str {
    // A skewed pick: low ranks far more often, as real surname frequencies are.
    let a = rng.random_range(0..SURNAMES.len());
    let b = rng.random_range(0..SURNAMES.len());
    SURNAMES[a.min(b)]
}

/// The surname of a generated full name (compound surnames included).
pub fn surname_of(name: &str) -> &str {
    for s in SURNAMES.iter().filter(|s| s.chars().count() == 2) {
        if name.starts_with(s) {
            return s;
        }
    }
    let end = name.char_indices().nth(1).map_or(name.len(), |(i, _)| i);
    &name[..end]
}

pub fn full_name(rng: &mut impl Rng, surname_given: Option<&str>, male: bool) -> String {
    let s = surname_given.map_or_else(|| surname(rng).to_string(), str::to_string);
    let chars = if male { MALE_CHARS } else { FEMALE_CHARS };
    let mut name = s;
    name.push_str(chars.choose(rng).expect("non-empty"));
    if rng.random_bool(0.7) {
        name.push_str(chars.choose(rng).expect("non-empty"));
    }
    name
}

const TOWNS: &[&str] = &[
    "城关镇",
    "东风镇",
    "八渡镇",
    "温水镇",
    "天成镇",
    "曹家湾镇",
    "固关镇",
    "东南镇",
    "河北镇",
    "新集川镇",
];

const VILLAGE_STEMS: &[&str] = &[
    "东关", "西关", "南街", "北坡", "杜阳", "峰山", "罗家", "王家", "李家", "张家", "马家", "赵家",
    "刘家", "陈家", "高家", "大庄", "小庄", "河湾", "石门", "柳林", "槐树", "杏园", "龙泉", "营盘",
];

/// Ten towns with eight to twelve villages (社区 in the county seat) each.
pub fn towns() -> Vec<(String, Vec<String>)> {
    TOWNS
        .iter()
        .enumerate()
        .map(|(t, town)| {
            let n = 8 + (t * 7) % 5;
            let villages = (0..n)
                .map(|v| {
                    let stem = VILLAGE_STEMS[(t * 5 + v * 3) % VILLAGE_STEMS.len()];
                    if t == 0 {
                        format!("{stem}社区")
                    } else {
                        format!("{stem}村")
                    }
                })
                .collect();
            (town.to_string(), villages)
        })
        .collect()
}

/// County units that employ officials.
pub const EMPLOYERS: &[&str] = &[
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "卫生健康局",
    "教育局",
    "住房和城乡建设局",
    "自然资源局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "市场监督管理局",
    "税务局",
    "公安局",
    "退役军人事务局",
    "乡村振兴局",
    "发展和改革局",
    "审计局",
    "统计局",
    "应急管理局",
    "林业局",
    "城关镇人民政府",
    "东风镇人民政府",
    "八渡镇人民政府",
    "温水镇人民政府",
    "天成镇人民政府",
    "曹家湾镇人民政府",
    "固关镇人民政府",
    "东南镇人民政府",
    "河北镇人民政府",
    "新集川镇人民政府",
    "县医院",
    "中医医院",
    "第一中学",
    "第二中学",
    "城关小学",
    "疾病预防控制中心",
];

pub fn company_name(rng: &mut impl Rng) -> String {
    let a = [
        "陇州", "关山", "秦岭", "宝鸡", "西秦", "汧河", "陇山", "千阳",
    ];
    let b = [
        "建材", "商贸", "农业", "建筑", "物流", "餐饮", "印务", "科技",
    ];
    format!(
        "陇县{}{}",
        a.choose(rng).expect("non-empty"),
        b.choose(rng).expect("non-empty")
    )
}
