"""The Chinese demo's free-text comments, as its customers write them: the same topics as the
English demo's (``comments``), in the same shape (sentiment → language → texts), so the comments
page and text search tell the same story — late deliveries, long waits on the support line, a
delightful purchase in store, and service as the driver that matters most.
"""

ZH = "zh-hans"

# sentiment -> language -> texts
GENERIC = {
    "detractor": {
        ZH: (
            "和当初承诺的完全不一样。",
            "太慢了，全程也没人告诉我进度。",
            "我催了好几次才有人回应。",
            "从头到尾都很失望。",
            "问题拖了很久都没解决，不会再买了。",
            "体验很差，说好的服务都没做到。",
        )
    },
    "passive": {
        ZH: (
            "还可以，没什么特别的。",
            "总体还行，有些环节有点慢。",
            "基本满足需求。",
            "中规中矩，和别家差不多。",
            "东西不错，就是流程可以再简化一些。",
        )
    },
    "promoter": {
        ZH: (
            "快捷、友好、省心。",
            "体验很棒，下次还会再来。",
            "一切都和承诺的一样。",
            "工作人员非常热心。",
            "服务很周到，已经推荐给朋友了。",
            "整个过程很顺利，没有任何麻烦。",
        )
    },
}

# touchpoint code -> sentiment -> language -> texts
TOUCHPOINT = {
    "delivery": {
        "detractor": {
            ZH: (
                "包裹比承诺的晚了好几天才到。",
                "送货迟到了，还错过了约好的时间段。",
                "箱子送到时已经破损，而且还晚了。",
                "说好三天送到，结果等了一个星期。",
                "快递一直显示配送中，打电话也问不到具体时间。",
            )
        },
        "promoter": {
            ZH: (
                "提前一天就送到了，太棒了。",
                "送货很准时，师傅还帮忙搬上楼。",
            )
        },
    },
    "support-call": {
        "detractor": {
            ZH: (
                "客服电话等了太久才接通。",
                "等了二十分钟，接通后还被转来转去。",
                "客服热线一直让我等，问题也没解决。",
                "每次打过去都要重新讲一遍情况。",
            )
        },
        "promoter": {
            ZH: (
                "电话很快就接通了，一次就解决了问题。",
                "客服耐心专业，几分钟就帮我处理好了。",
            )
        },
    },
    "instore-purchase": {
        "promoter": {
            ZH: (
                "门店的销售顾问非常专业。",
                "比我预期的还要好：快捷、热情，价格也划算。",
                "店员在收银台就帮我把一切都设置好了。",
                "以旧换新手续很简单，当场就办好了。",
            )
        },
    },
    "installation": {
        "promoter": {
            ZH: (
                "安装师傅准时上门，干活利索，还把使用方法讲得很清楚。",
                "安装完还帮忙把包装收走了，很贴心。",
            )
        },
    },
}

# driver -> sentiment -> language -> texts (the relationship survey's comment names the weakest
# driver of a detractor, the strongest of a promoter)
DRIVER = {
    "service": {
        "detractor": {ZH: ("客服很难联系上，处理也慢。", "售后服务跟不上，出了问题没人管。")},
        "promoter": {ZH: ("你们的服务团队非常出色。", "售后服务很到位，有问题总能很快解决。")},
    },
    "product": {
        "detractor": {ZH: ("产品用了没多久就坏了。", "质量和宣传的差距太大。")},
        "promoter": {ZH: ("非常喜欢你们的产品，质量很好。", "家电用了好几年都没出过问题。")},
    },
    "price": {
        "detractor": {ZH: ("性价比太低了。", "同样的型号，别家便宜不少。")},
        "promoter": {ZH: ("价格很公道。", "活动力度大，买得很值。")},
    },
    "convenience": {
        "detractor": {ZH: ("办什么事都要走太多步骤。", "线上线下信息不同步，来回跑了好几趟。")},
        "promoter": {ZH: ("买东西和找客服都非常方便。", "在 App 上下单、预约安装一步到位。")},
    },
    "relationship": {
        "detractor": {ZH: ("你们好像并不了解我这个老客户。",)},
        "promoter": {ZH: ("你们把我当作重要的客户来对待。", "会员服务很贴心，记得我的购买记录和偏好。")},
    },
    "brand": {
        "detractor": {ZH: ("这个品牌已经不如从前了。",)},
        "promoter": {ZH: ("一个值得信赖的品牌。", "青禾的口碑一直很好，身边朋友都在用。")},
    },
}
