"""Names and cities for the Chinese demo's customers: a surname drawn by how common it is in
China, then a given name (one or two characters) from names people of every age carry.

Each comes with its pinyin, from which a plain ASCII email address is made (ü is written v).
"""

# (surname, pinyin, weight): the weight is roughly the surname's share of the population, in ‰.
FAMILY: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 71), ("李", "li", 70), ("张", "zhang", 67), ("刘", "liu", 54), ("陈", "chen", 45),
    ("杨", "yang", 31), ("黄", "huang", 22), ("赵", "zhao", 20), ("吴", "wu", 20), ("周", "zhou", 19),
    ("徐", "xu", 15), ("孙", "sun", 14), ("马", "ma", 13), ("朱", "zhu", 12), ("胡", "hu", 11),
    ("郭", "guo", 11), ("何", "he", 11), ("林", "lin", 10), ("高", "gao", 10), ("罗", "luo", 9),
    ("郑", "zheng", 9), ("梁", "liang", 8), ("谢", "xie", 8), ("宋", "song", 8), ("唐", "tang", 7),
    ("许", "xu", 7), ("韩", "han", 7), ("冯", "feng", 7), ("邓", "deng", 7), ("曹", "cao", 6),
    ("彭", "peng", 6), ("曾", "zeng", 6), ("肖", "xiao", 6), ("田", "tian", 5), ("董", "dong", 5),
    ("袁", "yuan", 5), ("潘", "pan", 5), ("于", "yu", 5), ("蒋", "jiang", 5), ("蔡", "cai", 5),
    ("余", "yu", 5), ("杜", "du", 5), ("叶", "ye", 5), ("程", "cheng", 4), ("苏", "su", 4),
    ("魏", "wei", 4), ("吕", "lv", 4), ("丁", "ding", 4), ("任", "ren", 4), ("沈", "shen", 4),
    ("姚", "yao", 4), ("卢", "lu", 4), ("姜", "jiang", 4), ("崔", "cui", 3), ("钟", "zhong", 3),
    ("谭", "tan", 3), ("陆", "lu", 3), ("汪", "wang", 3), ("范", "fan", 3), ("金", "jin", 3),
    ("石", "shi", 3), ("廖", "liao", 3), ("贾", "jia", 3), ("夏", "xia", 3), ("韦", "wei", 3),
    ("方", "fang", 3), ("白", "bai", 3), ("邹", "zou", 3), ("孟", "meng", 3), ("熊", "xiong", 3),
    ("秦", "qin", 3), ("邱", "qiu", 3), ("江", "jiang", 3), ("尹", "yin", 3), ("薛", "xue", 2),
    ("闫", "yan", 2), ("段", "duan", 2), ("雷", "lei", 2), ("侯", "hou", 2), ("龙", "long", 2),
    ("史", "shi", 2), ("陶", "tao", 2), ("黎", "li", 2), ("贺", "he", 2), ("顾", "gu", 2),
    ("毛", "mao", 2), ("郝", "hao", 2), ("龚", "gong", 2), ("邵", "shao", 2), ("万", "wan", 2),
    ("钱", "qian", 2), ("严", "yan", 2), ("武", "wu", 2), ("戴", "dai", 2), ("孔", "kong", 2),
    ("欧阳", "ouyang", 1), ("司马", "sima", 0.3), ("上官", "shangguan", 0.2),
)  # fmt: skip
FAMILY_WEIGHTS = tuple(weight for _family, _pinyin, weight in FAMILY)

# (given name, pinyin): two-character names of several generations, and one-character ones.
GIVEN: tuple[tuple[str, str], ...] = (
    ("建国", "jianguo"), ("建华", "jianhua"), ("建军", "jianjun"), ("国强", "guoqiang"), ("国华", "guohua"),
    ("国栋", "guodong"), ("志强", "zhiqiang"), ("志明", "zhiming"), ("志伟", "zhiwei"), ("卫东", "weidong"),
    ("永刚", "yonggang"), ("永红", "yonghong"), ("光明", "guangming"), ("德华", "dehua"), ("振华", "zhenhua"),
    ("立军", "lijun"), ("宏伟", "hongwei"), ("海涛", "haitao"), ("晓东", "xiaodong"), ("晓峰", "xiaofeng"),
    ("晓军", "xiaojun"), ("晓明", "xiaoming"), ("明辉", "minghui"), ("伟强", "weiqiang"), ("鹏飞", "pengfei"),
    ("少华", "shaohua"), ("秀英", "xiuying"), ("秀兰", "xiulan"), ("秀珍", "xiuzhen"), ("桂英", "guiying"),
    ("桂兰", "guilan"), ("玉兰", "yulan"), ("凤英", "fengying"), ("金凤", "jinfeng"), ("淑芬", "shufen"),
    ("淑华", "shuhua"), ("丽华", "lihua"), ("丽娟", "lijuan"), ("春梅", "chunmei"), ("红梅", "hongmei"),
    ("雪梅", "xuemei"), ("海燕", "haiyan"), ("晓燕", "xiaoyan"), ("晓丽", "xiaoli"), ("晓华", "xiaohua"),
    ("晓婷", "xiaoting"), ("美玲", "meiling"), ("慧敏", "huimin"), ("文静", "wenjing"), ("亚男", "yanan"),
    ("丹丹", "dandan"), ("婷婷", "tingting"), ("雅婷", "yating"), ("佳慧", "jiahui"), ("静怡", "jingyi"),
    ("子涵", "zihan"), ("欣怡", "xinyi"), ("浩然", "haoran"), ("雨桐", "yutong"), ("梓轩", "zixuan"),
    ("思远", "siyuan"), ("佳琪", "jiaqi"), ("嘉怡", "jiayi"), ("俊杰", "junjie"), ("家豪", "jiahao"),
    ("宇航", "yuhang"), ("一鸣", "yiming"), ("子墨", "zimo"), ("诗涵", "shihan"), ("梦瑶", "mengyao"),
    ("雅琳", "yalin"), ("若曦", "ruoxi"), ("博文", "bowen"), ("天佑", "tianyou"), ("泽宇", "zeyu"),
    ("皓轩", "haoxuan"), ("宇轩", "yuxuan"), ("明轩", "mingxuan"), ("晨阳", "chenyang"), ("思琪", "siqi"),
    ("雨欣", "yuxin"), ("可馨", "kexin"), ("俊熙", "junxi"), ("文博", "wenbo"), ("浩宇", "haoyu"),
    ("子豪", "zihao"), ("欣妍", "xinyan"), ("一诺", "yinuo"), ("安琪", "anqi"), ("思彤", "sitong"),
    ("嘉欣", "jiaxin"), ("文轩", "wenxuan"), ("书瑶", "shuyao"), ("家乐", "jiale"), ("振宇", "zhenyu"),
    ("俊宇", "junyu"), ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("超", "chao"), ("婷", "ting"),
    ("鹏", "peng"), ("斌", "bin"), ("颖", "ying"), ("浩", "hao"), ("睿", "rui"), ("琳", "lin"),
    ("萍", "ping"),
)  # fmt: skip

# Where the company's customers live: its stores are in these cities.
CITIES = (
    "上海", "北京", "深圳", "广州", "杭州", "成都", "南京", "武汉", "苏州", "重庆", "西安", "天津",
)  # fmt: skip
