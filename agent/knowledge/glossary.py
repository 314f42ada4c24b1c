"""A small French/Chinese -> English shop vocabulary for the keyword side of cross-lingual search.

The 4-bit e5-small model links languages well for common words and poorly for shop-specific ones (a "veste en
cuir" is not reliably near a "leather jacket"). Expanding the question's words through this glossary gives the
keyword index English terms to match, while the dense side still sees the original question. Extend freely:
keys are folded (lower case, no accents) French words or Chinese words; values are English words.
"""

from __future__ import annotations

import re

from agent.knowledge.keywords import fold

_FR = """
chemise=shirt chemises=shirt chemisier=blouse blouse=blouse pull=jumper sweater pullover=jumper sweater
tricot=knitted knit veste=jacket blouson=jacket manteau=coat jupe=skirt robe=dress pantalon=pants trousers
jean=jeans denim short=shorts haut=top debardeur=top tee-shirt=tee t-shirt=tee smoking=tuxedo costume=suit
chaussure=shoes chaussures=shoes baskets=sneakers shoes sac=bag ceinture=belt echarpe=scarf chapeau=hat
bonnet=beanie hat chaussettes=socks collier=necklace bracelet=bracelet jonc=bangle boucles=earrings
oreille=earrings bague=ring pendentif=pendant chaine=chain perle=bead perles=beads ras-du-cou=choker
canape=sofa couch fauteuil=armchair chaise=chair table=table commode=drawers tiroirs=drawers lampe=light lamp
luminaire=light lamp bougie=candle coussin=pillow cushion coussins=pillows plaid=throw blanket couverture=blanket
draps=bed clothes sheets linge=linen lit=bed chevet=bedside pot=pot pots=pots plante=plant plantes=plants
jardin=garden jardinage=gardening arrosoir=watering can pelle=trowel shovel truelle=trowel cloture=fence
lattes=slats pouf=beanbag tasse=mug cup vase=vase tapis=rug miroir=mirror serviette=towel
cuir=leather laine=wool coton=cotton soie=silk lin=linen cuivre=copper bois=wooden wood argile=clay
terre=clay ceramique=ceramic carton=cardboard en-or=gold argent=silver metal=metal verre=glass velours=velvet
cachemire=cashmere bleu=blue bleue=blue bleus=blue rouge=red jaune=yellow vert=green verte=green
noir=black noire=black blanc=white blanche=white gris=grey grise=grey rose=pink marron=brown brun=brown
beige=beige creme=cream orange=orange violet=purple marine=navy olive=olive turquoise=turquoise dore=gold
argente=silver raye=striped rayee=striped carreaux=chequered fleuri=floral fleurie=floral homme=men mens
hommes=men femme=women womens femmes=women enfant=kids hiver=winter ete=summer sport=sport sports
impermeable=waterproof manches=sleeves longues=long courtes=short ancre=anchor lune=moon oiseau=bird
ange=angel galaxie=galaxy elephant=elephant vanille=vanilla parfum=scent exterieur=outdoor interieur=indoor
"""

_ZH = """
衬衫=shirt 衬衣=shirt 上衣=top 毛衣=jumper sweater 针织=knitted 夹克=jacket 外套=jacket coat 大衣=coat
皮衣=leather jacket 皮夹克=leather jacket 西装=suit tuxedo 燕尾服=tuxedo 裙子=skirt dress 半身裙=skirt
连衣裙=dress 裤子=pants trousers 牛仔=denim jeans T恤=tee 短袖=short sleeves 长袖=long sleeves 背心=top
鞋=shoes 鞋子=shoes 运动鞋=sneakers shoes 高帮=high tops 包=bag 包包=bag 手提包=bag 皮包=leather bag
腰带=belt 围巾=scarf 帽子=hat 袜子=socks 项链=necklace 手链=bracelet 手镯=bangle bracelet 耳环=earrings
戒指=ring 吊坠=pendant 链子=chain 珠子=bead 颈链=choker 沙发=sofa couch 扶手椅=armchair 椅子=chair
桌子=table 桌=table 抽屉=drawers 柜=drawers 灯=light lamp 台灯=lamp light 床头灯=bedside light
蜡烛=candle 香薰=candle scent 抱枕=pillow 枕头=pillow 靠垫=cushion pillow 毯子=throw blanket 床单=bed clothes
床品=bed clothes 床上用品=bed clothes 床=bed 床头=bedside 花盆=pot plant 盆=pot 植物=plant plants
花园=garden 园艺=gardening 浇水壶=watering can 喷壶=watering can 铲子=trowel 围栏=fence 栅栏=fence
木板=slats 懒人沙发=beanbag 豆袋=beanbag 杯子=mug cup 花瓶=vase 地毯=rug 镜子=mirror 毛巾=towel
皮=leather 皮革=leather 真皮=leather 羊毛=wool 毛=wool 棉=cotton 纯棉=cotton 丝=silk 真丝=silk 丝绸=silk
亚麻=linen 铜=copper 木=wooden wood 木头=wooden wood 实木=wooden wood 陶土=clay 黏土=clay 陶瓷=ceramic
纸板=cardboard 金=gold 黄金=gold 银=silver 纯银=sterling silver 金属=metal 玻璃=glass 天鹅绒=velvet
蓝=blue 蓝色=blue 红=red 红色=red 黄=yellow 黄色=yellow 绿=green 绿色=green 黑=black 黑色=black
白=white 白色=white 灰=grey 灰色=grey 粉=pink 粉色=pink 粉红=pink 棕=brown 棕色=brown 咖啡色=brown
米色=beige cream 奶油色=cream 橙色=orange 紫色=purple 海军蓝=navy 藏青=navy 橄榄绿=olive 绿松石=turquoise
条纹=striped 格子=chequered plaid 碎花=floral 花=floral 男=men mens 男士=men mens 女=women womens
女士=women womens 冬=winter 冬天=winter 夏=summer 夏天=summer 运动=sport sports 防水=waterproof
锚=anchor 船锚=anchor 月亮=moon 鸟=bird 天使=angel 星空=galaxy 大象=elephant 香草=vanilla
户外=outdoor 室内=indoor 复古=vintage antique 古董=antique 可降解=biodegradable 脉轮=chakra
"""


def _parse(text: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    key = ""
    for token in text.split():
        if "=" in token:
            key, first = token.split("=", 1)
            out[key.lower()] = (first,)
        elif key:
            out[key.lower()] = out[key.lower()] + (token,)
    return out


class Glossary:
    """Built once by the knowledge base (not a module cache); ``expand`` returns English words to add."""

    def __init__(self, french: str = _FR, chinese: str = _ZH) -> None:
        self.fr = _parse(french)
        zh = _parse(chinese)
        self.zh_keys = sorted(zh, key=len, reverse=True)
        self.zh = zh

    def expand(self, query: str) -> list[str]:
        words: list[str] = []
        q = re.sub(r"\ben or\b", "en-or", fold(query))  # 'or' alone is English "or"; 'en or' is gold
        for w in re.findall(r"[a-z]+(?:-[a-z]+)*", q):
            words.extend(self.fr.get(w, ()))
        rest = q
        for key in self.zh_keys:  # longest first, so 皮夹克 wins over 皮
            if key in rest:
                words.extend(self.zh[key])
                rest = rest.replace(key, " ")
        return words
